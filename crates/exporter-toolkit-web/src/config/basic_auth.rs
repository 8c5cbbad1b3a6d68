//! `basic_auth_users`: bcrypt-hashed users, required on every path when set.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use base64::Engine;
use tokio::sync::Semaphore;

/// Above this bcrypt cost a start-up warning says what each uncached login costs.
const SLOW_BCRYPT_COST: u32 = 12;

/// Successful logins remembered so that a scrape does not pay bcrypt every time.
const CACHE_LIMIT: usize = 64;

/// Outcome of checking one `Authorization` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthOutcome {
    /// A known user with the right password.
    Allowed,
    /// No `Authorization` header, not `Basic`, an unknown user or a wrong password.
    Denied,
}

/// bcrypt-hashed users; checks run on the blocking pool, at most a few at a time, so a flood
/// of bad passwords cannot starve the server's CPU.
pub struct BasicAuth {
    users: BTreeMap<String, String>,
    /// The costliest user's hash: unknown users are checked against it (and denied whatever
    /// the result) so that their answers take as long as a wrong password for a real user.
    /// Reusing a real hash keeps bcrypt work off the start-up path.
    dummy_hash: String,
    /// Successful `Authorization` header values; cleared when full.
    cache: Mutex<HashMap<String, ()>>,
    permits: Semaphore,
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicAuth")
            .field("users", &self.users.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl BasicAuth {
    /// Check the hashes (no bcrypt work: only their format and cost); the warnings are for
    /// start-up. `Err` is one line naming the user.
    pub(super) fn new(users: BTreeMap<String, String>) -> Result<(BasicAuth, Vec<String>), String> {
        let mut warnings = Vec::new();
        let mut costliest: Option<(u32, &String)> = None;
        for (user, hash) in &users {
            let Ok(parts) = hash.parse::<bcrypt::HashParts>() else {
                return Err(format!("the password of {user:?} is not a bcrypt hash"));
            };
            if costliest.is_none_or(|(cost, _)| parts.get_cost() > cost) {
                costliest = Some((parts.get_cost(), hash));
            }
            if user.contains(':') {
                warnings.push(format!(
                    "basic_auth_users: user {user:?} contains ':' and can never log in \
                     (basic auth splits user and password at the first ':')"
                ));
            }
        }
        let (cost, dummy_hash) = costliest
            .map(|(cost, hash)| (cost, hash.clone()))
            .ok_or_else(|| "no users".to_owned())?;
        if cost > SLOW_BCRYPT_COST {
            warnings.push(format!(
                "basic_auth_users: bcrypt cost {cost} makes every login that is not cached yet \
                 take about {}x as long as at cost 10 (tens of milliseconds there); \
                 cost 10 to 12 is the usual choice",
                1u64 << (cost - 10).min(30)
            ));
        }
        let auth = BasicAuth {
            users,
            dummy_hash,
            cache: Mutex::new(HashMap::new()),
            permits: Semaphore::new(2),
        };
        Ok((auth, warnings))
    }

    /// Check an `Authorization` header value.
    pub async fn check(self: &Arc<Self>, header: Option<&str>) -> AuthOutcome {
        let Some(header) = header else {
            return AuthOutcome::Denied;
        };
        if self.cache_lock().contains_key(header) {
            return AuthOutcome::Allowed;
        }
        let Some((user, password)) = decode(header) else {
            return AuthOutcome::Denied;
        };
        let Ok(_permit) = self.permits.acquire().await else {
            return AuthOutcome::Denied;
        };
        let this = Arc::clone(self);
        let verified = tokio::task::spawn_blocking(move || {
            let (hash, known) = match this.users.get(&user) {
                Some(hash) => (hash.as_str(), true),
                None => (this.dummy_hash.as_str(), false),
            };
            let ok = bcrypt::verify(password.as_bytes(), hash).unwrap_or(false);
            ok && known
        })
        .await
        .unwrap_or(false);
        if !verified {
            return AuthOutcome::Denied;
        }
        let mut cache = self.cache_lock();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(header.to_owned(), ());
        AuthOutcome::Allowed
    }

    fn cache_lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, ()>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `Basic base64(user:password)` → (user, password).
fn decode(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user: &str, password: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        )
    }

    fn auth() -> Arc<BasicAuth> {
        let hash = bcrypt::hash("correct horse", 4).unwrap();
        let users = BTreeMap::from([("prometheus".to_owned(), hash)]);
        Arc::new(BasicAuth::new(users).unwrap().0)
    }

    #[tokio::test]
    async fn basic_auth_accepts_only_the_right_password() {
        let auth = auth();
        let good = basic("prometheus", "correct horse");
        assert_eq!(auth.check(Some(&good)).await, AuthOutcome::Allowed);
        assert_eq!(
            auth.check(Some(&good)).await,
            AuthOutcome::Allowed,
            "cached"
        );
        for bad in [
            basic("prometheus", "wrong"),
            basic("nobody", "correct horse"),
            "Bearer x".to_owned(),
            "Basic !!!".to_owned(),
            "Basic".to_owned(),
        ] {
            assert_eq!(auth.check(Some(&bad)).await, AuthOutcome::Denied, "{bad}");
        }
        assert_eq!(auth.check(None).await, AuthOutcome::Denied);
    }

    #[test]
    fn unknown_users_are_checked_against_the_costliest_hash() {
        let cheap = bcrypt::hash("pw", 4).unwrap();
        // Only the cost field changes: building the checker must not hash at that cost.
        let dear = cheap.replacen("$04$", "$31$", 1);
        let users = BTreeMap::from([("a".to_owned(), cheap), ("b".to_owned(), dear.clone())]);
        let (auth, warnings) = BasicAuth::new(users).unwrap();
        assert_eq!(auth.dummy_hash, dear);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("bcrypt cost 31"), "{warnings:?}");
    }

    #[test]
    fn a_colon_in_a_user_name_is_a_warning_like_the_toolkit_accepts_it() {
        let hash = bcrypt::hash("pw", 4).unwrap();
        let users = BTreeMap::from([("a:b".to_owned(), hash)]);
        let (_, warnings) = BasicAuth::new(users).unwrap();
        assert!(warnings[0].contains("\"a:b\" contains ':'"), "{warnings:?}");
        let users = BTreeMap::from([("u".to_owned(), "plain".to_owned())]);
        assert!(BasicAuth::new(users)
            .unwrap_err()
            .contains("not a bcrypt hash"));
    }
}
