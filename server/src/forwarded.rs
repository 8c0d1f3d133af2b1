//! The address a request came from, for the sign-in throttle and the cap on pending identity
//! provider sign-ins. Behind a reverse proxy every request arrives from the proxy; with
//! `--trusted-proxy` the console believes the entries those proxies added to `X-Forwarded-For`
//! (or, with `--forwarded-header forwarded`, the `for=` of RFC 7239's `Forwarded`), and nobody
//! else's.

use app::ssr::guard::ClientAddress;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderMap;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The header the trusted proxies append the client to. Only one is read: a proxy that appends
/// to one passes the other on as the client wrote it, and a client could choose its address.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1` (nginx, HAProxy, AWS load balancers).
    #[default]
    #[value(name = "x-forwarded-for")]
    XForwardedFor,
    /// RFC 7239: `Forwarded: for=client;proto=https, for=proxy1` (Envoy, Traefik, and others
    /// when asked to).
    #[value(name = "forwarded")]
    Forwarded,
}

impl ForwardedHeader {
    fn name(self) -> &'static str {
        match self {
            ForwardedHeader::XForwardedFor => "x-forwarded-for",
            ForwardedHeader::Forwarded => "forwarded",
        }
    }

    /// The address part of one of the header's comma-separated elements: the whole element, or a
    /// `Forwarded` element's `for=`.
    fn address_in(self, element: &str) -> Option<&str> {
        match self {
            ForwardedHeader::XForwardedFor => Some(element),
            ForwardedHeader::Forwarded => for_parameter(element),
        }
    }
}

/// The proxies whose entries in the [`ForwardedHeader`] are believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies {
    nets: Arc<[IpNet]>,
    header: ForwardedHeader,
}

impl TrustedProxies {
    pub fn new(nets: &[IpNet], header: ForwardedHeader) -> TrustedProxies {
        TrustedProxies {
            nets: nets.into(),
            header,
        }
    }

    fn trust(&self, ip: IpAddr) -> bool {
        self.nets.iter().any(|net| net.contains(&ip))
    }

    /// The client of a request that arrived from `peer`: `peer` itself unless it is a trusted
    /// proxy; otherwise the header's entries are read from the right (the nearest hop first),
    /// passing over trusted proxies, and the first other address is the client. An entry that
    /// is not an address (`unknown`, an obfuscated `_name`) ends the walk: the client is then the
    /// last hop that was believed. A client cannot choose its address by sending the header
    /// itself: its own entries are left of the one its proxy appended.
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trust(client) {
            return client;
        }
        for value in headers.get_all(self.header.name()).iter().rev() {
            let Ok(list) = value.to_str() else {
                return client;
            };
            for element in list.rsplit(',') {
                let Some(ip) = self.header.address_in(element).and_then(parse_entry) else {
                    return client;
                };
                client = ip;
                if !self.trust(ip) {
                    return ip;
                }
            }
        }
        client
    }
}

/// The `for=` parameter of one `Forwarded` element (`for=192.0.2.60;proto=http;by=203.0.113.43`),
/// without its quotes. Parameter names are case-insensitive (RFC 7239, section 4).
fn for_parameter(element: &str) -> Option<&str> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then(|| value.trim())
            .map(|v| {
                v.strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(v)
            })
    })
}

/// One entry: an IPv4 or IPv6 address, or either with a port (`192.0.2.1:443`,
/// `[2001:db8::1]:443`), as some proxies write it, or an IPv6 address in brackets without one
/// (`Forwarded: for="[2001:db8::1]"`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let bare = entry
        .strip_prefix('[')
        .and_then(|e| e.strip_suffix(']'))
        .unwrap_or(entry);
    bare.parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

/// Puts the request's [`ClientAddress`] in its extensions, for the server functions and routes
/// that count by address. A request without a peer address (tests driving the router directly)
/// gets none.
pub async fn client_address(
    State(trusted): State<TrustedProxies>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(peer) = peer {
        let client = trusted.client_of(peer, req.headers());
        req.extensions_mut().insert(ClientAddress(client));
    }
    next.run(req).await
}

/// `--trusted-proxy`: an address (`10.0.0.7`, `::1`) or a network (`10.0.0.0/8`).
pub fn parse_trusted_proxy(s: &str) -> Result<IpNet, String> {
    if s.chars().any(char::is_control) {
        return Err("has a control character".into());
    }
    let s = s.trim();
    let net = s
        .parse::<IpNet>()
        .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
        .map(|net| net.trunc())
        .map_err(|_| {
            "expected an IP address or a network such as 10.0.0.0/8 (the reverse proxy's address)"
                .to_string()
        })?;
    if net.prefix_len() == 0 {
        return Err(format!(
            "{net} trusts every address, so any client could choose the address the sign-in \
             throttle counts; name the reverse proxy's address or network"
        ));
    }
    Ok(net)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(list: &[&str]) -> TrustedProxies {
        let nets: Vec<IpNet> = list
            .iter()
            .map(|s| parse_trusted_proxy(s).unwrap())
            .collect();
        TrustedProxies::new(&nets, ForwardedHeader::XForwardedFor)
    }

    fn headers(values: &[&[u8]]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", http::HeaderValue::from_bytes(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        let h = headers(&[b"203.0.113.9"]);
        assert_eq!(none.client_of(ip("127.0.0.1"), &h), ip("127.0.0.1"));
        // A peer that is not a trusted proxy cannot name another address either.
        let trusted = proxies(&["10.0.0.0/8"]);
        assert_eq!(trusted.client_of(ip("192.0.2.50"), &h), ip("192.0.2.50"));
    }

    #[test]
    fn the_client_is_the_nearest_address_that_is_not_a_trusted_proxy() {
        let trusted = proxies(&["127.0.0.1", "10.0.0.0/8"]);
        // The client sent its own header; its proxy appended the real address; a second proxy
        // inside the network appended the first.
        let h = headers(&[b"198.51.100.1, 203.0.113.9, 10.1.2.3"]);
        assert_eq!(trusted.client_of(ip("127.0.0.1"), &h), ip("203.0.113.9"));
        // The same, as separate header lines.
        let h = headers(&[b"198.51.100.1", b"203.0.113.9", b"10.1.2.3"]);
        assert_eq!(trusted.client_of(ip("127.0.0.1"), &h), ip("203.0.113.9"));
        // Ports and IPv6, as some proxies write them.
        let h = headers(&[b"[2001:db8::7]:51234, 10.1.2.3:443"]);
        assert_eq!(trusted.client_of(ip("127.0.0.1"), &h), ip("2001:db8::7"));
        // Every hop trusted: the leftmost.
        let h = headers(&[b"10.9.9.9, 10.1.2.3"]);
        assert_eq!(trusted.client_of(ip("127.0.0.1"), &h), ip("10.9.9.9"));
        // No header: the proxy itself.
        assert_eq!(
            trusted.client_of(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn an_entry_that_is_not_an_address_ends_the_walk_at_the_last_believed_hop() {
        let trusted = proxies(&["127.0.0.1", "10.0.0.0/8"]);
        for bad in [
            &b"203.0.113.9, unknown, 10.1.2.3"[..],
            b"203.0.113.9, \t, 10.1.2.3",
            b"203.0.113.9,, 10.1.2.3",
            b"203.0.113.9, 10.1.2.3/8, 10.1.2.3",
            b"203.0.113.9, 1.2.3.4.5, 10.1.2.3",
        ] {
            let h = headers(&[bad]);
            assert_eq!(
                trusted.client_of(ip("127.0.0.1"), &h),
                ip("10.1.2.3"),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        // Bytes that are not visible ASCII: the proxy itself.
        let h = headers(&[b"203.0.113.9 \xe2\x80\x8b"]);
        assert_eq!(trusted.client_of(ip("127.0.0.1"), &h), ip("127.0.0.1"));
    }

    #[test]
    fn an_ipv4_peer_seen_through_an_ipv6_socket_is_the_ipv4_address() {
        let trusted = proxies(&["127.0.0.1"]);
        let h = headers(&[b"203.0.113.9"]);
        assert_eq!(
            trusted.client_of(ip("::ffff:127.0.0.1"), &h),
            ip("203.0.113.9")
        );
    }

    /// RFC 7239's own examples (sections 4 and 7.1), behind a trusted 127.0.0.1.
    #[test]
    fn with_the_forwarded_header_the_client_is_its_nearest_for_that_is_not_trusted() {
        let nets = [parse_trusted_proxy("127.0.0.1").unwrap()];
        let trusted = TrustedProxies::new(&nets, ForwardedHeader::Forwarded);
        let forwarded = |v: &str| {
            let mut h = HeaderMap::new();
            h.append("forwarded", http::HeaderValue::from_str(v).unwrap());
            h
        };
        let peer = ip("127.0.0.1");
        for (value, client) in [
            (r#"for="_gazonk""#, "127.0.0.1"),
            (r#"For="[2001:db8:cafe::17]:4711""#, "2001:db8:cafe::17"),
            ("for=192.0.2.60;proto=http;by=203.0.113.43", "192.0.2.60"),
            ("for=192.0.2.43, for=198.51.100.17", "198.51.100.17"),
            ("for=192.0.2.43, for=127.0.0.1", "192.0.2.43"),
            (r#"for="[2001:db8::1]""#, "2001:db8::1"),
            // An element without `for` says nothing of the client: the walk ends there.
            ("for=192.0.2.43, proto=https", "127.0.0.1"),
            ("for=unknown, for=192.0.2.43", "192.0.2.43"),
            // Odd and broken values end the walk at the proxy, calmly.
            ("for=", "127.0.0.1"),
            (r#"for=""#, "127.0.0.1"),
            (";;;,,,", "127.0.0.1"),
            ("for=[::1", "127.0.0.1"),
            ("for==192.0.2.43", "127.0.0.1"),
            (r#"for="192.0.2.43"x"#, "127.0.0.1"),
        ] {
            assert_eq!(
                trusted.client_of(peer, &forwarded(value)),
                ip(client),
                "{value}"
            );
        }
        // Only the header named is read: X-Forwarded-For, which this proxy passes on as the
        // client wrote it, names nobody.
        assert_eq!(trusted.client_of(peer, &headers(&[b"203.0.113.9"])), peer);
        let xff = proxies(&["127.0.0.1"]);
        assert_eq!(xff.client_of(peer, &forwarded("for=203.0.113.9")), peer);
    }

    #[test]
    fn the_flag_takes_addresses_and_networks_only() {
        assert_eq!(
            parse_trusted_proxy("10.1.2.3/8").unwrap().to_string(),
            "10.0.0.0/8"
        );
        assert_eq!(parse_trusted_proxy("::1").unwrap().to_string(), "::1/128");
        assert_eq!(
            parse_trusted_proxy(" 10.0.0.7 ").unwrap().to_string(),
            "10.0.0.7/32"
        );
        for bad in [
            "",
            "proxy.internal",
            "10.0.0.0/33",
            "10.0.0.1\n",
            "*",
            "0.0.0.0/0",
            "::/0",
            "10.0.0.0/0",
        ] {
            assert!(parse_trusted_proxy(bad).is_err(), "{bad:?}");
        }
    }
}
