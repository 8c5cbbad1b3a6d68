//! ECDHE over P-521 (`secp521r1`, Go's `CurveP521`) as a rustls key exchange group. rustls'
//! aws-lc-rs provider ships P-256 and P-384 only; aws-lc-rs itself has the P-521 agreement,
//! and rustls takes any `SupportedKxGroup` a provider lists. The same shape as rustls' own
//! ECDH groups: an ephemeral key per handshake, the peer's share checked to be an uncompressed
//! point (aws-lc-rs checks that it is on the curve).

use aws_lc_rs::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey, ECDH_P521};
use aws_lc_rs::rand::SystemRandom;
use rustls::crypto::{ActiveKeyExchange, GetRandomFailed, SharedSecret, SupportedKxGroup};
use rustls::{Error, NamedGroup, PeerMisbehaved};

/// The P-521 group (`curve_preferences: [CurveP521]`); add it to a rustls `CryptoProvider`'s
/// `kx_groups` to offer or accept it (a client needs it to connect with P-521 only).
pub static SECP521R1: &dyn SupportedKxGroup = &P521;

/// Uncompressed point: 0x04, then x and y of 66 bytes each.
const POINT_LEN: usize = 1 + 2 * 66;

#[derive(Debug)]
struct P521;

impl SupportedKxGroup for P521 {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let private = EphemeralPrivateKey::generate(&ECDH_P521, &SystemRandom::new())
            .map_err(|_| GetRandomFailed)?;
        let public = private
            .compute_public_key()
            .map_err(|_| GetRandomFailed)?
            .as_ref()
            .to_vec();
        Ok(Box::new(P521Exchange { private, public }))
    }

    fn name(&self) -> NamedGroup {
        NamedGroup::secp521r1
    }
}

struct P521Exchange {
    private: EphemeralPrivateKey,
    public: Vec<u8>,
}

impl ActiveKeyExchange for P521Exchange {
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, Error> {
        if peer.len() != POINT_LEN || peer.first() != Some(&0x04) {
            return Err(PeerMisbehaved::InvalidKeyShare.into());
        }
        agreement::agree_ephemeral(
            self.private,
            UnparsedPublicKey::new(&ECDH_P521, peer),
            Error::from(PeerMisbehaved::InvalidKeyShare),
            |secret| Ok(SharedSecret::from(secret)),
        )
    }

    fn pub_key(&self) -> &[u8] {
        &self.public
    }

    fn group(&self) -> NamedGroup {
        NamedGroup::secp521r1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_sides_agree_and_a_bad_share_is_refused() {
        let client = SECP521R1.start().unwrap();
        let server = SECP521R1.start().unwrap();
        assert_eq!(client.pub_key().len(), POINT_LEN);
        assert_eq!(client.group(), NamedGroup::secp521r1);
        let client_share = client.pub_key().to_vec();
        let server_secret = server.complete(&client_share).unwrap();
        let server2 = SECP521R1.start().unwrap();
        let server2_share = server2.pub_key().to_vec();
        let client_secret = client.complete(&server2_share).unwrap();
        // Different peers, different secrets; each side's secret is 66 bytes (x of the point).
        assert_eq!(server_secret.secret_bytes().len(), 66);
        assert_ne!(server_secret.secret_bytes(), client_secret.secret_bytes());

        let a = SECP521R1.start().unwrap();
        let b = SECP521R1.start().unwrap();
        let (a_share, b_share) = (a.pub_key().to_vec(), b.pub_key().to_vec());
        assert_eq!(
            a.complete(&b_share).unwrap().secret_bytes(),
            b.complete(&a_share).unwrap().secret_bytes()
        );

        let mut off_curve = a_share.clone();
        off_curve[POINT_LEN - 1] ^= 1;
        for bad in [
            &a_share[..POINT_LEN - 1],
            &off_curve[..],
            &[0u8; POINT_LEN][..],
        ] {
            assert!(SECP521R1.start().unwrap().complete(bad).is_err());
        }
    }
}
