//! The one trust model: [`ProxyTrust`], built once, shared by every layer.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arc_swap::ArcSwap;
use http::header::HeaderName;
use http::{HeaderMap, Request};

use crate::grammar::ForwardedGrammar;
use crate::hop::{Hop, Source};
use crate::peer::peer_addr;
use crate::strategy::{ClientIpStrategy, ProxyHeaders};
use crate::trusted::TrustedProxies;
use crate::x_forwarded::XForwardedHeaders;

/// Whom to believe, and what: the trusted proxies, where the client address
/// comes from, and the one header family the scheme, host and port of its
/// hop are read from.
///
/// Configure trust once, here, and hand the same `ProxyTrust` to every layer
/// that needs it (`ClientIpLayer`, `BaseContextLayer`): they then agree on
/// every request, and the headers are walked once, by whichever layer runs
/// first. Cloning is one reference count; clones share the model (and a
/// trusted set swapped with [`set_trusted_proxies`](Self::set_trusted_proxies)).
///
/// ```
/// use crocodile_forwarded::{ProxyHeaders, ProxyTrust};
///
/// // nginx on this machine, appending to Forwarded.
/// let trust = ProxyTrust::builder()
///     .strategy("rightmost:forwarded".parse()?)
///     .trusted_proxies("loopback".parse()?)
///     .build()?;
/// assert_eq!(trust.proxy_headers(), ProxyHeaders::Forwarded); // follows the strategy
///
/// // Two settings that disagree are refused, naming both.
/// let mixed = ProxyTrust::builder()
///     .strategy("rightmost:x-forwarded-for".parse()?)
///     .proxy_headers(ProxyHeaders::Forwarded)
///     .build();
/// assert!(mixed.unwrap_err().to_string().contains("rightmost:x-forwarded-for"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct ProxyTrust {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// Unique per model for the life of the process: a hop computed with
    /// another model is never reused (an id, not an address, which a freed
    /// model could hand to a new one).
    pub(crate) id: u64,
    pub(crate) strategy: ClientIpStrategy,
    pub(crate) family: ProxyHeaders,
    pub(crate) trusted: ArcSwap<TrustedProxies>,
    pub(crate) x_forwarded: XForwardedHeaders,
    pub(crate) grammar: ForwardedGrammar,
}

fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Default for ProxyTrust {
    /// `rightmost:x-forwarded-for` with nobody trusted: every header is
    /// ignored and the client is the socket peer, which is safe anywhere.
    fn default() -> Self {
        Self::new(ClientIpStrategy::default(), TrustedProxies::none())
    }
}

impl ProxyTrust {
    /// A model with this strategy and trusted set; the header family follows
    /// the strategy (`x-forwarded` for `peer` and `single:`), the other parts
    /// are defaults.
    pub fn new(strategy: ClientIpStrategy, trusted: TrustedProxies) -> Self {
        let family = strategy.family().unwrap_or_default();
        Self::from_parts(
            strategy,
            family,
            trusted,
            XForwardedHeaders::default(),
            ForwardedGrammar::default(),
        )
    }

    /// A builder, for the parts [`new`](Self::new) leaves at their defaults.
    pub fn builder() -> ProxyTrustBuilder {
        ProxyTrustBuilder::default()
    }

    fn from_parts(
        strategy: ClientIpStrategy,
        family: ProxyHeaders,
        trusted: TrustedProxies,
        x_forwarded: XForwardedHeaders,
        grammar: ForwardedGrammar,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                id: next_id(),
                strategy,
                family,
                trusted: ArcSwap::from_pointee(trusted),
                x_forwarded,
                grammar,
            }),
        }
    }

    /// Where the client address comes from.
    pub fn strategy(&self) -> &ClientIpStrategy {
        &self.inner.strategy
    }

    /// The header family scheme, host and port are read from.
    pub fn proxy_headers(&self) -> ProxyHeaders {
        self.inner.family
    }

    /// The trusted set in force now.
    pub fn trusted_proxies(&self) -> Arc<TrustedProxies> {
        self.inner.trusted.load_full()
    }

    /// Replaces the trusted set for every layer that shares this model.
    /// Requests already under way keep the hop they computed.
    pub fn set_trusted_proxies(&self, trusted: TrustedProxies) {
        self.inner.trusted.store(Arc::new(trusted));
    }

    /// The `X-Forwarded-*` headers believed besides `X-Forwarded-For`.
    pub fn x_forwarded(&self) -> XForwardedHeaders {
        self.inner.x_forwarded
    }

    /// The `Forwarded` grammar.
    pub fn forwarded_grammar(&self) -> ForwardedGrammar {
        self.inner.grammar
    }

    /// The request's hop: the one already in its extensions when a layer
    /// sharing this model computed it, else computed now from the peer
    /// address (see [`PeerAddr`](crate::PeerAddr)) and the headers.
    ///
    /// A request has one `Hop` extension: the first layer to compute one
    /// inserts it, for every later layer (and handler) to read. A later
    /// layer with another model gets its own hop from this call, for its own
    /// use, and leaves the request's alone; [`computed`](Self::computed)
    /// tells the two cases apart.
    pub fn hop<B>(&self, req: &mut Request<B>) -> Hop {
        match req.extensions().get::<Hop>() {
            Some(hop) if self.computed(hop) => *hop,
            Some(_) => self.compute(peer_addr(req.extensions()), req.headers()),
            None => {
                let hop = self.compute(peer_addr(req.extensions()), req.headers());
                req.extensions_mut().insert(hop);
                hop
            }
        }
    }

    /// Whether this model (or a clone of it) computed `hop`.
    ///
    /// ```
    /// use std::net::SocketAddr;
    /// use http::HeaderMap;
    /// use crocodile_forwarded::ProxyTrust;
    ///
    /// let trust = ProxyTrust::new("rightmost:x-forwarded-for".parse()?, "loopback".parse()?);
    /// let peer: SocketAddr = "127.0.0.1:4000".parse()?;
    /// let hop = trust.compute(Some(peer), &HeaderMap::new());
    /// assert!(trust.clone().computed(&hop));
    /// assert!(!ProxyTrust::default().computed(&hop));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn computed(&self, hop: &Hop) -> bool {
        hop.model == self.inner.id
    }

    /// Computes a hop from a peer address and headers, without looking at or
    /// touching any extension. Linear in the headers read, no allocation.
    pub fn compute(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> Hop {
        crate::compute::compute(&self.inner, peer, headers)
    }

    /// The hop's source as `/context`-style text: `peer`, `<header>[<k>]`
    /// (`x-forwarded-for[1]`, `cf-connecting-ip[0]`) or `none`.
    pub fn source_label<'a>(&'a self, hop: &Hop) -> SourceLabel<'a> {
        SourceLabel {
            source: hop.source(),
            single: match &self.inner.strategy {
                ClientIpStrategy::Single(name) => Some(name),
                _ => None,
            },
        }
    }
}

impl fmt::Debug for ProxyTrust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyTrust")
            .field("strategy", &self.inner.strategy.to_string())
            .field("proxy_headers", &self.inner.family)
            .field("trusted_proxies", &self.inner.trusted.load().to_string())
            .field("x_forwarded", &self.inner.x_forwarded.to_string())
            .field("forwarded_grammar", &self.inner.grammar)
            .finish()
    }
}

/// [`ProxyTrust::source_label`]: a hop's source as text.
#[derive(Debug, Clone, Copy)]
pub struct SourceLabel<'a> {
    source: Source,
    single: Option<&'a HeaderName>,
}

impl fmt::Display for SourceLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.source {
            Source::Peer => f.write_str("peer"),
            Source::Chain { family, index } => write!(f, "{}[{index}]", family.chain_name()),
            Source::Single => match self.single {
                Some(name) => write!(f, "{name}[0]"),
                None => f.write_str("single[0]"),
            },
            Source::None => f.write_str("none"),
        }
    }
}

/// Builds a [`ProxyTrust`] from its parts, each of which parses from a string.
///
/// When only one of the strategy and the header family is set, the other
/// follows it (`rightmost:forwarded` implies `forwarded`; `forwarded`
/// implies `rightmost:forwarded`); when both are set and disagree,
/// [`build`](Self::build) refuses.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ProxyTrustBuilder {
    strategy: Option<ClientIpStrategy>,
    family: Option<ProxyHeaders>,
    trusted: Option<TrustedProxies>,
    x_forwarded: XForwardedHeaders,
    grammar: ForwardedGrammar,
}

impl ProxyTrustBuilder {
    /// Where the client address comes from (default `rightmost:x-forwarded-for`).
    pub fn strategy(mut self, strategy: ClientIpStrategy) -> Self {
        self.strategy = Some(strategy);
        self
    }

    /// The header family proxies write (default: the strategy's).
    pub fn proxy_headers(mut self, family: ProxyHeaders) -> Self {
        self.family = Some(family);
        self
    }

    /// The proxies whose headers are believed (default: nobody).
    pub fn trusted_proxies(mut self, trusted: TrustedProxies) -> Self {
        self.trusted = Some(trusted);
        self
    }

    /// The `X-Forwarded-*` headers believed besides `-For` (default `proto,host`).
    pub fn x_forwarded(mut self, headers: XForwardedHeaders) -> Self {
        self.x_forwarded = headers;
        self
    }

    /// The `Forwarded` grammar (default `lenient`).
    pub fn forwarded_grammar(mut self, grammar: ForwardedGrammar) -> Self {
        self.grammar = grammar;
        self
    }

    /// The model, or why the strategy and the header family disagree.
    pub fn build(self) -> Result<ProxyTrust, ProxyTrustError> {
        let (strategy, family) = match (self.strategy, self.family) {
            (None, None) => (ClientIpStrategy::default(), ProxyHeaders::default()),
            (Some(strategy), None) => {
                let family = strategy.family().unwrap_or_default();
                (strategy, family)
            }
            (None, Some(family)) => (ClientIpStrategy::default().with_family(family), family),
            (Some(strategy), Some(family)) => match strategy.family() {
                Some(walked) if walked != family => {
                    return Err(ProxyTrustError::MixedFamilies { strategy, family });
                }
                _ => (strategy, family),
            },
        };
        Ok(ProxyTrust::from_parts(
            strategy,
            family,
            self.trusted.unwrap_or_else(TrustedProxies::none),
            self.x_forwarded,
            self.grammar,
        ))
    }
}

/// A [`ProxyTrust`] that can't be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyTrustError {
    /// The strategy walks one header family and the proxy headers name the
    /// other: the address would come from one hop and the scheme and host
    /// from another.
    MixedFamilies {
        /// The strategy, which walks `strategy.family()`.
        strategy: ClientIpStrategy,
        /// The header family configured for scheme and host.
        family: ProxyHeaders,
    },
}

impl fmt::Display for ProxyTrustError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MixedFamilies { strategy, family } => {
                let walked = strategy.family().unwrap_or_default();
                write!(
                    f,
                    "the client-ip strategy `{strategy}` walks `{}` but the proxy headers are `{family}`: \
                     use one family (proxy headers `{walked}`, or the strategy `{}`), or set only one of the two",
                    walked.chain_name(),
                    strategy.clone().with_family(*family),
                )
            }
        }
    }
}

impl std::error::Error for ProxyTrustError {}
