//! URL helpers: what may be printed of a URL, and origin comparison.

use reqwest::Url;

/// The URL without credentials, query or fragment: a presigned query string
/// is a credential, and so is `user:pass@`. A removed query shows as `?…`.
pub fn redacted(url: &Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    let had_query = u.query().is_some_and(|q| !q.is_empty());
    u.set_query(None);
    u.set_fragment(None);
    let mut s = u.to_string();
    if had_query {
        s.push_str("?…");
    }
    crate::secret::redact(&s).into_owned()
}

/// [`redacted`] for text that may not even parse as a URL (a bad
/// `KATALON_STORE_URL`): credentials between `://` and `@` are masked.
pub fn redacted_str(text: &str) -> String {
    let text = text.trim();
    if let Ok(url) = Url::parse(text) {
        return redacted(&url);
    }
    let shown = match text.split_once("://") {
        Some((scheme, rest)) => match rest.split('/').next().and_then(|host| host.rfind('@')) {
            Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
            None => text.to_string(),
        },
        None => text.to_string(),
    };
    crate::secret::redact(&shown).into_owned()
}

/// The URL without its query string or fragment, for the lockfile.
pub fn without_query(url: &Url) -> Url {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u
}

/// Everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - _ . ~`).
const COMPONENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Percent-encodes a URL component (a path segment, a query value).
pub fn encode_component(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, COMPONENT).to_string()
}

/// Same scheme, host and port (default ports made explicit).
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme() && a.host_str() == b.host_str() && a.port_or_known_default() == b.port_or_known_default()
}

/// 127.0.0.0/8, ::1 and `localhost`: plain http is allowed there.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_drops_query_and_userinfo() {
        let u = Url::parse("https://u:p@cdn.example.com/a/b.zip?X-Amz-Signature=abc#f").unwrap();
        assert_eq!(redacted(&u), "https://cdn.example.com/a/b.zip?…");
    }

    #[test]
    fn components_keep_only_unreserved_characters() {
        assert_eq!(encode_component("v1.2.0+build/x y~_-"), "v1.2.0%2Bbuild%2Fx%20y~_-");
    }

    #[test]
    fn unparsable_urls_lose_their_credentials() {
        assert_eq!(redacted_str("https://user:pa ss@store example/x"), "https://***@store example/x");
        assert_eq!(redacted_str("https://u:p@store.example.com/api?k=1"), "https://store.example.com/api?…");
        assert_eq!(redacted_str("not a url"), "not a url");
    }

    #[test]
    fn origins() {
        let a = Url::parse("https://store.katalon.com/api").unwrap();
        assert!(same_origin(&a, &Url::parse("https://store.katalon.com:443/x").unwrap()));
        assert!(!same_origin(&a, &Url::parse("http://store.katalon.com/x").unwrap()));
        assert!(!same_origin(&a, &Url::parse("https://cdn.katalon.com/x").unwrap()));
        assert!(is_loopback(&Url::parse("http://127.0.0.5:1/").unwrap()));
        assert!(!is_loopback(&Url::parse("http://example.com/").unwrap()));
    }
}
