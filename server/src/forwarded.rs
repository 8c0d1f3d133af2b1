//! The address a request came from, for the sign-in throttle and the cap on pending identity
//! provider sign-ins. Behind a reverse proxy every request arrives from the proxy; with
//! `--trusted-proxy` the console believes the `X-Forwarded-For` entries those proxies added, and
//! nobody else's.

use app::ssr::guard::ClientAddress;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderMap;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The proxies whose `X-Forwarded-For` entries are believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    pub fn new(nets: &[IpNet]) -> TrustedProxies {
        TrustedProxies(nets.into())
    }

    fn trust(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client of a request that arrived from `peer`: `peer` itself unless it is a trusted
    /// proxy; otherwise the `X-Forwarded-For` entries are read from the right (the nearest hop
    /// first), passing over trusted proxies, and the first other address is the client. An entry
    /// that is not an address ends the walk: the client is then the last hop that was believed.
    /// A client cannot choose its address by sending the header itself: its own entries are left
    /// of the one its proxy appended.
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trust(client) {
            return client;
        }
        for value in headers.get_all("x-forwarded-for").iter().rev() {
            let Ok(list) = value.to_str() else {
                return client;
            };
            for entry in list.rsplit(',') {
                let Some(ip) = parse_entry(entry) else {
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

/// One `X-Forwarded-For` entry: an IPv4 or IPv6 address, or either with a port (`192.0.2.1:443`,
/// `[2001:db8::1]:443`), as some proxies write it.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
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
        TrustedProxies::new(&nets)
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
