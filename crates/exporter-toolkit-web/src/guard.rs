//! What the web config puts in front of the program's service, for every request on every
//! path: the rate limit (429), then basic auth (401), then the configured response headers on
//! every answer, 429 and 401 included (the toolkit's `webHandler`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use hyper::header::{
    HeaderName, HeaderValue, AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE,
};
use hyper::service::Service;
use hyper::{Request, Response, StatusCode};

use crate::config::{AuthOutcome, BasicAuth, RateLimiter, WebConfig};

/// The checks and headers from the web config, shared by every connection.
#[derive(Debug)]
pub(crate) struct Guard {
    rate_limit: Option<Arc<RateLimiter>>,
    auth: Option<Arc<BasicAuth>>,
    headers: Vec<(HeaderName, HeaderValue)>,
    challenge: HeaderValue,
}

impl Guard {
    pub fn new(web: &WebConfig, realm: &str) -> Guard {
        let challenge = HeaderValue::from_str(&format!("Basic realm=\"{realm}\""))
            .unwrap_or(HeaderValue::from_static("Basic"));
        Guard {
            rate_limit: web.rate_limit.clone(),
            auth: web.auth.clone(),
            headers: web.headers.clone(),
            challenge,
        }
    }

    /// The answer for a request the rate limit or basic auth refuses, if it is refused;
    /// `authorization` is the request's header.
    async fn refusal(&self, authorization: Option<&HeaderValue>) -> Option<Response<Bytes>> {
        if let Some(limiter) = &self.rate_limit {
            if !limiter.allow(Instant::now()) {
                return Some(fixed(
                    StatusCode::TOO_MANY_REQUESTS,
                    "429 too many requests\n",
                ));
            }
        }
        let auth = self.auth.as_ref()?;
        let header = authorization.and_then(|v| v.to_str().ok());
        if auth.check(header).await == AuthOutcome::Allowed {
            return None;
        }
        let mut response = fixed(StatusCode::UNAUTHORIZED, "401 unauthorized\n");
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, self.challenge.clone());
        Some(response)
    }
}

fn fixed(status: StatusCode, text: &'static str) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from_static(text.as_bytes()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The program's service behind the [`Guard`]. Only used when the web config sets a rate
/// limit, users or headers; otherwise the service is served as it is.
#[derive(Debug, Clone)]
pub(crate) struct GuardedService<S> {
    inner: S,
    guard: Arc<Guard>,
}

impl<S> GuardedService<S> {
    pub fn new(inner: S, guard: Arc<Guard>) -> GuardedService<S> {
        GuardedService { inner, guard }
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, R, B> Service<Request<R>> for GuardedService<S>
where
    S: Service<Request<R>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    R: Send + 'static,
{
    type Response = Response<GuardedBody<B>>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, S::Error>>;

    fn call(&self, req: Request<R>) -> Self::Future {
        let guard = Arc::clone(&self.guard);
        let inner = self.inner.clone();
        Box::pin(async move {
            // Owned, so the request itself is not held across the bcrypt check.
            let authorization = req.headers().get(AUTHORIZATION).cloned();
            let mut response = match guard.refusal(authorization.as_ref()).await {
                Some(refusal) => refusal.map(|text| GuardedBody::Fixed(Some(text))),
                None => inner.call(req).await?.map(GuardedBody::Inner),
            };
            for (name, value) in &guard.headers {
                response.headers_mut().insert(name.clone(), value.clone());
            }
            Ok(response)
        })
    }
}

/// A response body: the service's own, or the guard's fixed answer.
#[derive(Debug)]
pub enum GuardedBody<B> {
    /// What the service answered.
    Inner(B),
    /// A 401 or 429 text, taken when sent.
    Fixed(Option<Bytes>),
}

impl<B> http_body::Body for GuardedBody<B>
where
    B: http_body::Body<Data = Bytes> + Unpin,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        match self.get_mut() {
            GuardedBody::Inner(body) => Pin::new(body).poll_frame(cx),
            GuardedBody::Fixed(text) => Poll::Ready(text.take().map(|t| Ok(Frame::data(t)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            GuardedBody::Inner(body) => body.is_end_stream(),
            GuardedBody::Fixed(text) => text.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            GuardedBody::Inner(body) => body.size_hint(),
            GuardedBody::Fixed(text) => {
                SizeHint::with_exact(text.as_ref().map_or(0, |t| t.len() as u64))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use std::convert::Infallible;
    use std::path::Path;

    /// `dave` / `dave123`: the toolkit's test user (its `web_config_users_noTLS.good.yml`).
    const USERS: &str =
        "basic_auth_users:\n  dave: $2y$10$2UXri9cIDdgeKjBo4Rlpx.U3ZLDV8X1IxKmsfOvhcM5oXQt/mLmXq\n";

    /// The program's service: "hello" for everything.
    #[derive(Clone)]
    struct Hello;

    impl Service<Request<()>> for Hello {
        type Response = Response<String>;
        type Error = Infallible;
        type Future = std::future::Ready<Result<Response<String>, Infallible>>;

        fn call(&self, _req: Request<()>) -> Self::Future {
            std::future::ready(Ok(Response::new(String::from("hello"))))
        }
    }

    fn service(config: &str) -> GuardedService<Hello> {
        let web = WebConfig::parse(config, Path::new(".")).unwrap();
        GuardedService::new(Hello, Arc::new(Guard::new(&web, "test")))
    }

    async fn call(
        service: &GuardedService<Hello>,
        auth: Option<&str>,
    ) -> (StatusCode, hyper::HeaderMap, Bytes) {
        let mut req = Request::builder();
        if let Some(auth) = auth {
            req = req.header(AUTHORIZATION, auth);
        }
        let response = service.call(req.body(()).unwrap()).await.unwrap();
        let (parts, body) = response.into_parts();
        let hint = http_body::Body::size_hint(&body).exact();
        let bytes = body.collect().await.unwrap().to_bytes();
        assert_eq!(hint, Some(bytes.len() as u64));
        (parts.status, parts.headers, bytes)
    }

    #[tokio::test]
    async fn basic_auth_is_asked_on_every_request_and_headers_are_on_every_answer() {
        let service = service(&format!(
            "{USERS}http_server_config:\n  headers:\n    X-Frame-Options: deny\n"
        ));
        let (status, headers, body) = call(&service, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(headers[WWW_AUTHENTICATE], "Basic realm=\"test\"");
        assert_eq!(headers["x-frame-options"], "deny");
        assert_eq!(body, "401 unauthorized\n");
        // base64("dave:dave123"), then a wrong password.
        let (status, headers, body) = call(&service, Some("Basic ZGF2ZTpkYXZlMTIz")).await;
        assert_eq!((status, &body[..]), (StatusCode::OK, &b"hello"[..]));
        assert_eq!(headers["x-frame-options"], "deny");
        let (status, _, _) = call(&service, Some("Basic ZGF2ZTpub3BlCg==")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    #[tokio::test]
    async fn the_rate_limit_comes_before_auth() {
        let service = service(&format!("{USERS}rate_limit:\n  interval: 1h\n  burst: 2\n"));
        assert_eq!(call(&service, None).await.0, StatusCode::UNAUTHORIZED);
        let good = Some("Basic ZGF2ZTpkYXZlMTIz");
        assert_eq!(call(&service, good).await.0, StatusCode::OK);
        let (status, headers, _) = call(&service, good).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(headers[CACHE_CONTROL], "no-store");
    }
}
