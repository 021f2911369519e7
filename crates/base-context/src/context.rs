//! The per-request value handlers read: [`BaseContext`].
//!
//! # Example
//!
//! ```
//! use std::convert::Infallible;
//! use http::{Request, Response};
//! use tower::{ServiceBuilder, ServiceExt};
//! use crocodile_base_context::{BaseContext, BaseContextLayer, ProxyTrust};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Nothing in front: no proxy header is believed.
//! let layer = BaseContextLayer::new(ProxyTrust::default(), "example.com".parse()?)
//!     .base_path("/app".parse()?);
//! let service = ServiceBuilder::new()
//!     .layer(layer)
//!     .service_fn(|req: Request<String>| async move {
//!         let ctx = req.extensions().get::<BaseContext>().unwrap();
//!         assert_eq!(ctx.origin(), "http://example.com:8080");
//!         assert_eq!(ctx.home_url(), "http://example.com:8080/app/");
//!         assert_eq!(ctx.url_for("/reset password"), "http://example.com:8080/app/reset%20password");
//!         Ok::<_, Infallible>(Response::new(String::new()))
//!     });
//! let req = Request::get("/").header("host", "Example.com:8080").body(String::new())?;
//! let res = service.oneshot(req).await?;
//! assert_eq!(res.status(), 200);
//! # Ok(())
//! # }
//! ```

use std::fmt::{self, Write as _};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::SystemTime;

use crocodile_forwarded::Scheme;
use http::HeaderValue;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::origin::Origin;
use crate::request_id::RequestId;
use crate::rfc3339::Rfc3339;
use crate::trace_context::{FixedStr, SpanId, TraceContext, TraceId};

/// What [`BaseContextLayer`](crate::BaseContextLayer) computed for one
/// request, inserted as a request extension (and, with the `axum` feature,
/// an extractor).
///
/// Plain data: an id, a scheme, a port, two shared strings, addresses, a
/// time and the trace context. It holds nothing that can reach the request,
/// so it is dropped with the request's extensions. Cloning it is cheap (two
/// or three `Arc` counts).
///
/// Every URL it builds uses a host that passed the layer's
/// [`AllowedHosts`](crate::AllowedHosts) check, so a forged `Host` or
/// `X-Forwarded-Host` never reaches a password-reset link or a cached page.
#[derive(Clone)]
pub struct BaseContext {
    request_id: RequestId,
    scheme: Scheme,
    port: u16,
    host: Arc<str>,
    base_path: Arc<str>,
    peer: Option<SocketAddr>,
    client_ip: Option<IpAddr>,
    received_at: SystemTime,
    trace: TraceContext,
    /// What few requests carry, out of line so the common context stays
    /// small: a trusted `tracestate`, an upstream request id.
    extra: Option<Arc<Extra>>,
}

#[derive(Debug)]
struct Extra {
    tracestate: Option<HeaderValue>,
    upstream_request_id: Option<RequestId>,
}

/// The parts the layer gathered, ready to become a [`BaseContext`].
#[derive(Debug)]
pub(crate) struct Parts {
    pub(crate) request_id: RequestId,
    pub(crate) origin: Origin,
    pub(crate) peer: Option<SocketAddr>,
    pub(crate) client_ip: Option<IpAddr>,
    pub(crate) received_at: SystemTime,
    pub(crate) trace: TraceContext,
    pub(crate) tracestate: Option<HeaderValue>,
    pub(crate) upstream_request_id: Option<RequestId>,
}

impl BaseContext {
    pub(crate) fn new(parts: Parts) -> Self {
        let Parts {
            request_id,
            origin,
            peer,
            client_ip,
            received_at,
            trace,
            tracestate,
            upstream_request_id,
        } = parts;
        let extra = (tracestate.is_some() || upstream_request_id.is_some()).then(|| {
            Arc::new(Extra {
                tracestate,
                upstream_request_id,
            })
        });
        Self {
            request_id,
            scheme: origin.scheme,
            port: origin.port,
            host: origin.host,
            base_path: origin.base_path,
            peer,
            client_ip,
            received_at,
            trace,
            extra,
        }
    }

    /// The request id: the one a trusted proxy sent, or a generated ULID;
    /// with [`RequestIdSource::TraceId`](crate::RequestIdSource::TraceId),
    /// the trace id. It is also echoed on the response.
    pub fn request_id(&self) -> &RequestId {
        &self.request_id
    }

    /// With [`RequestIdSource::TraceId`](crate::RequestIdSource::TraceId):
    /// the request id a trusted proxy sent, kept beside the trace id. `None`
    /// otherwise (in the default mode that id *is* the request id).
    pub fn upstream_request_id(&self) -> Option<&RequestId> {
        self.extra.as_ref()?.upstream_request_id.as_ref()
    }

    /// The request's trace context: trace id, incoming parent, sampled flag,
    /// this request's span id.
    pub fn trace_context(&self) -> &TraceContext {
        &self.trace
    }

    /// The trace id: a trusted caller's (from a valid `traceparent`), or a
    /// new random one. Displays as 32 lowercase hex digits.
    pub fn trace_id(&self) -> TraceId {
        self.trace.trace_id()
    }

    /// The caller's span (the incoming `traceparent`'s parent-id), when a
    /// trusted caller sent a valid one.
    pub fn parent_span_id(&self) -> Option<SpanId> {
        self.trace.parent_span_id()
    }

    /// This request's own span id, fresh per request: the parent-id of its
    /// outgoing calls.
    pub fn span_id(&self) -> SpanId {
        self.trace.span_id()
    }

    /// Whether the trace is sampled: the trusted caller's flag, or
    /// [`sample_new_traces`](crate::BaseContextLayer::sample_new_traces) for a
    /// trace started here.
    pub fn sampled(&self) -> bool {
        self.trace.sampled()
    }

    /// The `traceparent` to send on this request's outgoing calls: the same
    /// trace id, this request's [`span_id`](Self::span_id) as parent-id, the
    /// sampled flag. 55 bytes inline; `.as_str()`, `.to_header_value()`.
    pub fn traceparent(&self) -> FixedStr<55> {
        self.trace.traceparent()
    }

    /// The trusted caller's `tracestate`, opaque (send it on with
    /// [`traceparent`](Self::traceparent)); `None` when there was none, it
    /// was out of bounds, or the `traceparent` was not believed.
    pub fn tracestate(&self) -> Option<&str> {
        let value = self.extra.as_ref()?.tracestate.as_ref()?;
        // Checked to be visible ASCII, space or tab.
        value.to_str().ok()
    }

    /// The scheme the client used.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host the client addressed: lowercase, no port, no trailing dot,
    /// IPv6 in brackets (`[2001:db8::1]`). Always an allowed host.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The effective port: the one the client addressed, or the scheme's
    /// default (80, 443).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The base path the application is mounted under: empty, or `/app`
    /// (no trailing slash).
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// `scheme://host[:port]`, the port omitted when it is the scheme's
    /// default: `https://example.com`, `https://example.com:8443`.
    pub fn origin(&self) -> String {
        let mut out = String::with_capacity(self.origin_len());
        self.write_origin(&mut out);
        out
    }

    /// The origin, the base path and `/`: `https://example.com/app/`.
    /// What koa's `ctx.getHomeUrl()` returned.
    pub fn home_url(&self) -> String {
        let mut out = String::with_capacity(self.origin_len() + self.base_path.len() + 1);
        self.write_origin(&mut out);
        out.push_str(&self.base_path);
        out.push('/');
        out
    }

    /// The absolute URL of `path` under the base path:
    /// `url_for("/reset")` is `https://example.com/app/reset`.
    ///
    /// A missing leading `/` is added. Bytes a URL path can't hold are
    /// percent-encoded (spaces, `?`, `#`, `"`, `<`, `>`, `\`, `^`, `` ` ``,
    /// `{`, `|`, `}`, controls and non-ASCII as UTF-8); a `%` already
    /// followed by two hex digits is kept, any other `%` becomes `%25`.
    /// `path` is a path only: a `?` in it is encoded (`%3F`); for a query
    /// use [`url_for_with_query`](Self::url_for_with_query).
    pub fn url_for(&self, path: &str) -> String {
        let mut out =
            String::with_capacity(self.origin_len() + self.base_path.len() + path.len() + 1);
        self.write_path(path, &mut out);
        out
    }

    /// [`url_for(path)`](Self::url_for) followed by a query string built from
    /// `query`'s pairs, each key and value percent-encoded (all but
    /// `A-Z a-z 0-9 - . _ ~`, non-ASCII as UTF-8), so a value can hold `&`,
    /// `=`, `+`, `#` or spaces and still reads back as itself. No pairs, no
    /// `?`.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use http::{Request, Response};
    /// # use tower::{ServiceBuilder, ServiceExt};
    /// # use crocodile_base_context::{BaseContext, BaseContextLayer, ProxyTrust};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let layer = BaseContextLayer::new(ProxyTrust::default(), "example.com".parse()?)
    /// #     .base_path("/app".parse()?);
    /// # let service = ServiceBuilder::new().layer(layer).service_fn(|req: Request<String>| async move {
    /// let ctx: &BaseContext = req.extensions().get().unwrap();
    /// let token = "q+Z/9w==";
    /// let email = "ana+test@example.org";
    /// let link = ctx.url_for_with_query("/reset password", [("token", token), ("email", email)]);
    /// assert_eq!(
    ///     link,
    ///     "https://example.com/app/reset%20password?token=q%2BZ%2F9w%3D%3D&email=ana%2Btest%40example.org"
    /// );
    /// // Owned strings and an empty list work too.
    /// let pairs = vec![(String::from("next"), String::from("/a?b=c"))];
    /// assert_eq!(ctx.url_for_with_query("/login", pairs), "https://example.com/app/login?next=%2Fa%3Fb%3Dc");
    /// assert_eq!(ctx.url_for_with_query("/", [("", ""); 0]), ctx.home_url());
    /// # Ok::<_, Infallible>(Response::new(String::new()))
    /// # });
    /// # let req = Request::get("https://example.com/").header("host", "example.com").body(String::new())?;
    /// # assert_eq!(service.oneshot(req).await?.status(), 200);
    /// # Ok(())
    /// # }
    /// ```
    pub fn url_for_with_query<K, V>(
        &self,
        path: &str,
        query: impl IntoIterator<Item = (K, V)>,
    ) -> String
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut out =
            String::with_capacity(self.origin_len() + self.base_path.len() + path.len() + 1);
        self.write_path(path, &mut out);
        let mut separator = '?';
        for (key, value) in query {
            out.push(separator);
            separator = '&';
            out.extend(utf8_percent_encode(key.as_ref(), QUERY_COMPONENT));
            out.push('=');
            out.extend(utf8_percent_encode(value.as_ref(), QUERY_COMPONENT));
        }
        out
    }

    /// The client's address, decided by the layer's
    /// [`ProxyTrust`](crocodile_forwarded::ProxyTrust): the same answer
    /// `crocodile-client-ip`'s `ClientIp` gives when its layer shares the
    /// model, in whichever order the two run. `None` only without a peer
    /// address.
    pub fn client_ip(&self) -> Option<IpAddr> {
        self.client_ip
    }

    /// The socket peer: the client, or the nearest proxy. From the
    /// [`PeerAddr`](crocodile_forwarded::PeerAddr) extension, or axum's
    /// `ConnectInfo<SocketAddr>` with the `axum` feature; `None` when neither
    /// is there.
    pub fn peer(&self) -> Option<SocketAddr> {
        self.peer
    }

    /// When the layer saw the request.
    pub fn received_at(&self) -> SystemTime {
        self.received_at
    }

    /// [`received_at`](Self::received_at) as RFC 3339, for display:
    /// `ctx.received_at_rfc3339().to_string()` is `2024-05-01T12:34:56.789Z`.
    pub fn received_at_rfc3339(&self) -> Rfc3339 {
        Rfc3339::new(self.received_at)
    }

    fn origin_len(&self) -> usize {
        // "https://" + host + ":65535"
        8 + self.host.len() + 6
    }

    /// The origin, the base path and `path`, encoded.
    fn write_path(&self, path: &str, out: &mut String) {
        self.write_origin(out);
        out.push_str(&self.base_path);
        if !path.starts_with('/') {
            out.push('/');
        }
        encode_path(path, out);
    }

    fn write_origin(&self, out: &mut String) {
        out.push_str(self.scheme.as_str());
        out.push_str("://");
        out.push_str(&self.host);
        if self.port != self.scheme.default_port() {
            // Writing to a String never fails.
            let _ = write!(out, ":{}", self.port);
        }
    }
}

impl fmt::Debug for BaseContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("BaseContext");
        d.field("request_id", &self.request_id.as_str())
            .field("scheme", &self.scheme)
            .field("host", &&*self.host)
            .field("port", &self.port)
            .field("base_path", &&*self.base_path)
            .field("peer", &self.peer);
        d.field("client_ip", &self.client_ip);
        d.field("received_at", &self.received_at_rfc3339().to_string())
            .field("trace_id", &self.trace.trace_id_hex().as_str())
            .field("parent_span_id", &self.trace.parent_span_id())
            .field("span_id", &self.trace.span_id())
            .field("sampled", &self.trace.sampled())
            .field("tracestate", &self.tracestate())
            .field("upstream_request_id", &self.upstream_request_id())
            .finish()
    }
}

/// What [`BaseContext::url_for`] encodes: everything but RFC 3986 `pchar`s
/// and `/` (section 3.3: unreserved, sub-delims, `:`, `@`). `%` is in the
/// set; `encode_path` keeps the `%XX` escapes already there.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@')
    .remove(b'/');

/// What [`BaseContext::url_for_with_query`] encodes in a key or a value:
/// everything but RFC 3986 unreserved characters, so `&`, `=`, `+` and `#`
/// in a value can't end it or change its meaning.
const QUERY_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Appends `path`, percent-encoding what an RFC 3986 path can't hold and
/// keeping the `%XX` escapes already in it.
fn encode_path(path: &str, out: &mut String) {
    let mut rest = path;
    while let Some(at) = rest.find('%') {
        let (before, after) = rest.split_at(at);
        out.extend(utf8_percent_encode(before, PATH));
        let escape = after
            .get(..3)
            .filter(|escape| escape.bytes().skip(1).all(|b| b.is_ascii_hexdigit()));
        match escape {
            Some(escape) => {
                out.push_str(escape);
                rest = &after[3..];
            }
            None => {
                out.push_str("%25");
                rest = &after[1..];
            }
        }
    }
    out.extend(utf8_percent_encode(rest, PATH));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(scheme: Scheme, host: &str, port: u16, base_path: &str) -> BaseContext {
        BaseContext::new(Parts {
            request_id: RequestId::generate(),
            origin: Origin {
                scheme,
                host: Arc::from(host),
                port,
                base_path: Arc::from(base_path),
            },
            peer: None,
            client_ip: None,
            received_at: SystemTime::UNIX_EPOCH,
            trace: TraceContext::new_root(true),
            tracestate: None,
            upstream_request_id: None,
        })
    }

    #[test]
    fn origin_omits_default_ports() {
        let cases = [
            (Scheme::Https, "example.com", 443, "https://example.com"),
            (
                Scheme::Https,
                "example.com",
                8443,
                "https://example.com:8443",
            ),
            (Scheme::Http, "example.com", 80, "http://example.com"),
            (Scheme::Http, "example.com", 443, "http://example.com:443"),
            (Scheme::Https, "[2001:db8::1]", 443, "https://[2001:db8::1]"),
            (Scheme::Http, "[::1]", 3000, "http://[::1]:3000"),
        ];
        for (scheme, host, port, want) in cases {
            let ctx = ctx(scheme, host, port, "");
            assert_eq!(ctx.origin(), want);
            assert_eq!(ctx.home_url(), format!("{want}/"));
        }
    }

    #[test]
    fn home_url_and_url_for_use_the_base_path() {
        let ctx = ctx(Scheme::Https, "example.com", 443, "/app");
        assert_eq!(ctx.home_url(), "https://example.com/app/");
        assert_eq!(ctx.url_for("/reset"), "https://example.com/app/reset");
        assert_eq!(ctx.url_for("reset"), "https://example.com/app/reset");
        assert_eq!(ctx.url_for(""), "https://example.com/app/");
        assert_eq!(ctx.url_for("/"), "https://example.com/app/");
    }

    #[test]
    fn url_for_percent_encodes_what_must_be() {
        // RFC 3986 section 3.3: pchar = unreserved / pct-encoded / sub-delims / ":" / "@".
        let ctx = ctx(Scheme::Https, "example.com", 443, "");
        let cases = [
            ("/a b", "/a%20b"),
            ("/a?b#c", "/a%3Fb%23c"),
            ("/caf\u{e9}", "/caf%C3%A9"),
            ("/100%", "/100%25"),
            ("/50%zz", "/50%25zz"),
            ("/a%20b", "/a%20b"),
            ("/<script>\"", "/%3Cscript%3E%22"),
            ("/x\r\ny", "/x%0D%0Ay"),
            ("/a\\b^`{|}", "/a%5Cb%5E%60%7B%7C%7D"),
            ("/keep-._~!$&'()*+,;=:@/", "/keep-._~!$&'()*+,;=:@/"),
        ];
        for (path, want) in cases {
            assert_eq!(
                ctx.url_for(path),
                format!("https://example.com{want}"),
                "{path:?}"
            );
        }
    }

    #[test]
    fn url_for_with_query_encodes_keys_and_values() {
        let ctx = ctx(Scheme::Https, "example.com", 443, "/app");
        // (pairs, query string)
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[], ""),
            (&[("a", "1")], "?a=1"),
            (&[("a", ""), ("", "b")], "?a=&=b"),
            (&[("a b", "c&d=e")], "?a%20b=c%26d%3De"),
            (&[("q", "1+1#x")], "?q=1%2B1%23x"),
            (&[("name", "Zo\u{eb}")], "?name=Zo%C3%AB"),
            (&[("keep", "-._~")], "?keep=-._~"),
            (&[("pct", "100%")], "?pct=100%25"),
            (&[("k", "%20")], "?k=%2520"),
        ];
        for (pairs, want) in cases {
            assert_eq!(
                ctx.url_for_with_query("/r", pairs.iter().copied()),
                format!("https://example.com/app/r{want}"),
                "{pairs:?}"
            );
        }
    }

    #[test]
    fn context_is_plain_shareable_data() {
        fn assert_plain<T: Clone + Send + Sync + 'static>() {}
        assert_plain::<BaseContext>();
        // 144 bytes before the trace context; it adds 34 inline and one
        // pointer for what few requests carry (tracestate, upstream id).
        assert!(std::mem::size_of::<BaseContext>() <= 184);
    }

    #[test]
    fn debug_shows_the_fields() {
        let ctx = ctx(Scheme::Https, "example.com", 443, "");
        let debug = format!("{ctx:?}");
        assert!(debug.contains(r#"host: "example.com""#), "{debug}");
        assert!(debug.contains("1970-01-01T00:00:00.000Z"), "{debug}");
    }
}
