//! The outbound allowlist, in Spin's grammar: `scheme://host[:port]`, where `scheme` may
//! be `*`, `host` may be `*.domain` (any subdomain, not the bare domain) and `port` may be
//! `*` (absent means the scheme's default). A request is judged on its URL as parsed by the
//! `url` crate (WHATWG rules: lower-cased, IDNA-encoded, IPv4 forms such as `0x7f.1`
//! normalised), never on the raw string, so no substring trick can match.

use std::fmt;
use std::net::IpAddr;

use url::{Host, Url};

/// One allowed destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    scheme: Pattern,
    host: HostPattern,
    port: Pattern<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern<T = String> {
    Any,
    Exact(T),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    /// Exactly this host: a domain in canonical form, or an IP address.
    Exact(Host),
    /// Any strict subdomain of this domain (`*.example.com` matches `a.example.com`).
    Subdomains(String),
}

/// Why an allowlist entry could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadEntry(pub String);

impl fmt::Display for BadEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadEntry {}

impl fmt::Display for AllowedHost {
    /// The entry in the grammar it was written in.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.scheme {
            Pattern::Any => f.write_str("*://")?,
            Pattern::Exact(s) => write!(f, "{s}://")?,
        }
        match &self.host {
            // url's `Host` writes IPv6 addresses in brackets.
            HostPattern::Exact(host) => write!(f, "{host}")?,
            HostPattern::Subdomains(domain) => write!(f, "*.{domain}")?,
        }
        match &self.port {
            Pattern::Any => f.write_str(":*"),
            Pattern::Exact(port) => write!(f, ":{port}"),
        }
    }
}

impl AllowedHost {
    /// Parses `scheme://host[:port]`.
    pub fn parse(entry: &str) -> Result<Self, BadEntry> {
        let bad = |why: &str| BadEntry(format!("allowed host {entry:?}: {why}; expected scheme://host[:port]"));
        let (scheme, rest) = entry.trim().split_once("://").ok_or_else(|| bad("no scheme"))?;
        if rest.is_empty() || rest.contains(['/', '?', '#', '@']) {
            return Err(bad("only a host and an optional port may follow the scheme"));
        }
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "*" => Pattern::Any,
            s @ ("http" | "https") => Pattern::Exact(s.to_string()),
            _ => return Err(bad("the scheme must be http, https or *")),
        };
        // Split off the port, minding IPv6 literals in brackets.
        let (host, port) = match rest.rfind(':') {
            Some(i) if !rest[i..].contains(']') => (&rest[..i], Some(&rest[i + 1..])),
            _ => (rest, None),
        };
        let port = match port {
            None => match &scheme {
                Pattern::Exact(s) if s == "http" => Pattern::Exact(80),
                Pattern::Exact(_) => Pattern::Exact(443),
                Pattern::Any => Pattern::Any,
            },
            Some("*") => Pattern::Any,
            Some(p) => Pattern::Exact(p.parse().map_err(|_| bad("the port must be a number or *"))?),
        };
        let host = match host.strip_prefix("*.") {
            Some(domain) => match Host::parse(domain).map_err(|_| bad("not a valid domain"))? {
                Host::Domain(d) => HostPattern::Subdomains(d),
                _ => return Err(bad("a wildcard applies to domains, not IP addresses")),
            },
            None if host.contains('*') => return Err(bad("a wildcard may only be a leading *.")),
            None => HostPattern::Exact(Host::parse(host).map_err(|_| bad("not a valid host"))?),
        };
        Ok(Self { scheme, host, port })
    }

    /// The entry that allows exactly this URL's origin.
    pub fn origin_of(url: &Url) -> Result<Self, BadEntry> {
        Self::parse(&url.origin().ascii_serialization())
    }

    pub fn matches(&self, url: &Url) -> bool {
        let scheme_ok = match &self.scheme {
            Pattern::Any => matches!(url.scheme(), "http" | "https"),
            Pattern::Exact(s) => url.scheme() == s,
        };
        let port_ok = match (&self.port, url.port_or_known_default()) {
            (Pattern::Any, _) => true,
            (Pattern::Exact(p), Some(q)) => *p == q,
            (Pattern::Exact(_), None) => false,
        };
        let host_ok = match (&self.host, url.host()) {
            (HostPattern::Exact(Host::Domain(d)), Some(Host::Domain(h))) => trim_dot(d) == trim_dot(h),
            (HostPattern::Exact(Host::Ipv4(a)), Some(Host::Ipv4(b))) => *a == b,
            (HostPattern::Exact(Host::Ipv6(a)), Some(Host::Ipv6(b))) => *a == b,
            (HostPattern::Subdomains(domain), Some(Host::Domain(h))) => {
                let h = trim_dot(h);
                h.len() > domain.len() + 1 && h.ends_with(domain.as_str()) && h[..h.len() - domain.len()].ends_with('.')
            }
            _ => false,
        };
        scheme_ok && port_ok && host_ok
    }

    /// Whether this entry names a loopback destination (the only ones plain http may use).
    pub fn is_loopback(&self) -> bool {
        match &self.host {
            HostPattern::Exact(Host::Domain(d)) => trim_dot(d) == "localhost",
            HostPattern::Exact(Host::Ipv4(ip)) => ip.is_loopback(),
            HostPattern::Exact(Host::Ipv6(ip)) => ip.is_loopback(),
            HostPattern::Subdomains(_) => false,
        }
    }
}

fn trim_dot(host: &str) -> &str {
    host.strip_suffix('.').unwrap_or(host)
}

/// Addresses no request may reach, whatever name led there: loopback, private, link-local
/// (including the cloud metadata address 169.254.169.254), unspecified, shared (CGNAT),
/// multicast and broadcast ranges, and IPv4 addresses hidden in IPv6 forms.
pub fn is_prohibited(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_prohibited(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (v6.segments()[..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible ::a.b.c.d
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn allow(entry: &str, url: &str) -> bool {
        AllowedHost::parse(entry).unwrap().matches(&Url::parse(url).unwrap())
    }

    #[test]
    fn the_grammar_is_spins() {
        assert!(allow("https://app.getorchestra.io", "https://app.getorchestra.io/api"));
        assert!(allow("https://app.getorchestra.io", "https://APP.getorchestra.io:443/x"));
        assert!(allow("https://app.getorchestra.io", "https://app.getorchestra.io./x"));
        assert!(!allow("https://app.getorchestra.io", "http://app.getorchestra.io/x"));
        assert!(!allow("https://app.getorchestra.io", "https://app.getorchestra.io:8443/x"));
        assert!(allow("https://app.getorchestra.io:*", "https://app.getorchestra.io:8443/x"));
        assert!(allow("*://app.getorchestra.io:443", "https://app.getorchestra.io/x"));
        assert!(allow("https://*.getorchestra.io", "https://stage.getorchestra.io/x"));
        assert!(!allow("https://*.getorchestra.io", "https://getorchestra.io/x"), "a wildcard skips the bare domain");
        assert!(!allow("https://*.getorchestra.io", "https://evilgetorchestra.io/x"));
        assert!(allow("http://127.0.0.1:8080", "http://127.0.0.1:8080/x"));
        assert!(allow("http://[::1]:8080", "http://[::1]:8080/x"));
        assert!(!allow("http://127.0.0.1:8080", "http://localhost:8080/x"));
    }

    #[test]
    fn tricks_are_judged_on_the_parsed_host() {
        let entry = "https://app.getorchestra.io";
        for url in [
            "https://app.getorchestra.io@evil.test/",
            "https://app.getorchestra.io.evil.test/",
            "https://evil.test/app.getorchestra.io",
            "https://evil.test/?app.getorchestra.io",
            "https://app.getorchestra.io%2eevil.test/",
            "https://аpp.getorchestra.io/", // Cyrillic а: an IDN lookalike
        ] {
            let parsed = Url::parse(url);
            assert!(parsed.map(|u| !AllowedHost::parse(entry).unwrap().matches(&u)).unwrap_or(true), "{url}");
        }
    }

    #[test]
    fn bad_entries_are_refused_with_a_reason() {
        for entry in [
            "app.getorchestra.io",
            "ftp://x.io",
            "https://x.io/path",
            "https://a.*.io",
            "https://*.1.2.3.4",
            "https://x.io:port",
        ] {
            assert!(AllowedHost::parse(entry).is_err(), "{entry}");
        }
    }

    #[test]
    fn private_and_special_addresses_are_prohibited() {
        for ip in [
            "169.254.169.254",
            "127.0.0.1",
            "::1",
            "10.0.0.1",
            "0.0.0.0",
            "::ffff:127.0.0.1",
            "172.16.0.1",
            "192.168.1.1",
            "100.64.0.1",
            "fd00::1",
            "fe80::1",
            "::",
        ] {
            assert!(is_prohibited(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["52.1.2.3", "2606:4700::1111", "8.8.8.8"] {
            assert!(!is_prohibited(ip.parse().unwrap()), "{ip}");
        }
        // Octal and hex forms of loopback normalise to 127.0.0.1 before any check.
        for url in ["http://0177.0.0.1/", "http://0x7f.1/", "http://2130706433/"] {
            let host = Url::parse(url).unwrap().host().map(|h| h.to_owned());
            assert_eq!(host, Some(Host::Ipv4("127.0.0.1".parse().unwrap())), "{url}");
        }
    }

    proptest! {
        /// Whatever the URL, an exact entry allows it only when the parsed scheme, host and
        /// port are the entry's (a reference decision written independently of the matcher).
        #[test]
        fn an_exact_entry_allows_nothing_else(
            scheme in prop::sample::select(vec!["http", "https"]),
            sub in "[a-z]{1,8}",
            tld in prop::sample::select(vec!["io", "test", "getorchestra.io", "io.evil"]),
            port in prop::option::of(1u16..65535),
            userinfo in prop::option::of("[a-z@:.]{1,12}"),
            path in "[a-zA-Z0-9./?#@%:-]{0,20}",
        ) {
            let host = format!("{sub}.{tld}");
            let authority = match port { Some(p) => format!("{host}:{p}"), None => host.clone() };
            let userinfo = userinfo.map(|u| format!("{u}@")).unwrap_or_default();
            let raw = format!("{scheme}://{userinfo}{authority}/{path}");
            if let Ok(url) = Url::parse(&raw) {
                let entry = AllowedHost::parse("https://app.getorchestra.io").unwrap();
                let reference = url.scheme() == "https"
                    && url.host_str() == Some("app.getorchestra.io")
                    && url.port_or_known_default() == Some(443);
                prop_assert_eq!(entry.matches(&url), reference, "{}", raw);
            }
        }

        #[test]
        // Labels valid under IDNA: no leading or trailing hyphen, and no `--` (which
        // `xn--` and the like would make a punycode label the URL parser rejects).
        fn a_wildcard_never_allows_a_host_outside_its_domain(label in "[a-z0-9]{1,5}(-[a-z0-9]{1,4})?", other in "[a-z]{1,10}\\.[a-z]{2,5}") {
            let entry = AllowedHost::parse("https://*.getorchestra.io").unwrap();
            let inside = Url::parse(&format!("https://{label}.getorchestra.io/")).unwrap();
            prop_assert!(entry.matches(&inside));
            let outside = Url::parse(&format!("https://{other}/")).unwrap();
            prop_assert!(!entry.matches(&outside) || outside.host_str().is_some_and(|h| h.ends_with(".getorchestra.io")));
        }
    }
}
