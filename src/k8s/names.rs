//! Names as Kubernetes checks them (apimachinery's `IsDNS1035Label`, `IsDNS1123Label`,
//! `IsDNS1123Subdomain`, and the IANA service names ports may be called), the hosts and paths a
//! route may carry, the name of a generated object, and the stable hash that keeps such names
//! (and fresh node ports) the same from one svcpolicy version to the next.

/// Kubernetes' `IsDNS1035Label`: at most 63 lower-case alphanumerics and '-', starting with a
/// letter and ending alphanumeric. Service names must be one.
pub fn is_dns1035_label(s: &str) -> bool {
    s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Kubernetes' `IsDNS1123Label`: at most 63 lower-case alphanumerics and '-', starting and ending
/// alphanumeric. Port names must be one.
pub fn is_dns1123_label(s: &str) -> bool {
    s.len() <= 63 && is_dns1123_part(s)
}

/// Kubernetes' `IsDNS1123Subdomain`: at most 253 characters in all, dot-separated parts of
/// lower-case alphanumerics and '-' that start and end alphanumeric (no per-part length limit).
pub fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns1123_part)
}

/// Lower-case alphanumerics and '-', starting and ending alphanumeric, of any length.
fn is_dns1123_part(p: &str) -> bool {
    p.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && p.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Kubernetes' `IsValidPortName` (an IANA service name): at most 15 lower-case alphanumerics and
/// '-', at least one letter, no '-' at either end and no two in a row. A `targetPort` given by
/// name must be one.
pub fn is_iana_port_name(s: &str) -> bool {
    s.len() <= 15
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && s.chars().any(|c| c.is_ascii_lowercase())
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

/// Hosts: lower-case DNS names, optionally `*.`-prefixed, never an IP address.
pub fn check_host(host: &str) -> Result<(), String> {
    let name = host.strip_prefix("*.").unwrap_or(host);
    if name.parse::<std::net::IpAddr>().is_ok() {
        return Err(format!("the route host '{host}' is an IP address; a host must be a DNS name"));
    }
    if !is_dns1123_subdomain(name) {
        return Err(format!(
            "the route host '{host}' is not a valid DNS name (lower-case letters, digits, '-' and '.')"
        ));
    }
    Ok(())
}

/// Paths: absolute, and none of what Ingress and Gateway API refuse.
pub fn check_path(path: &str) -> Result<(), String> {
    let bad = ["//", "/./", "/../", "%2f", "%2F", "#"];
    if !path.starts_with('/') || bad.iter().any(|b| path.contains(b)) || path.ends_with("/..") || path.ends_with("/.") {
        return Err(format!("proxy.path '{path}' must be an absolute path without '//', '/./', '/../', '%2f' or '#'"));
    }
    Ok(())
}

/// A DNS-1123 subdomain of at most 253 characters: `<service>[-<suffix>]`, cut with a short hash
/// where it would be longer.
pub fn object_name(service: &str, suffix: Option<&str>) -> String {
    let full = match suffix {
        Some(s) => format!("{service}-{s}"),
        None => service.to_string(),
    };
    let clean: String = full
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '-' })
        .collect();
    if clean.len() <= 253 {
        return clean;
    }
    let hash = fnv1a(&clean);
    format!("{}-{:08x}", clean[..244].trim_end_matches(['-', '.']), hash as u32)
}

/// FNV-1a (64 bits): a stable hash, so what svcpolicy derives from a name (a node port's first
/// choice, a shortened object name) never changes between versions, platforms or runs.
pub fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names_stay_dns_subdomains() {
        assert_eq!(object_name("web", Some("http")), "web-http");
        // Whatever comes in, what goes out is a subdomain: dots and dashes kept, the rest dashes.
        assert_eq!(object_name("Web_App.v2", Some("HTTP")), "web-app.v2-http");
        assert!(is_dns1123_subdomain(&object_name("a b/c:d", None)));
        let long = object_name(&"a".repeat(300), None);
        assert_eq!(long.len(), 253);
        assert!(is_dns1123_subdomain(&long));
        assert_ne!(object_name(&"a".repeat(300), None), object_name(&"a".repeat(301), None));
    }

    #[test]
    fn hosts_and_paths_are_checked() {
        assert!(check_host("web.default.home.lan").is_ok());
        assert!(check_host("*.home.lan").is_ok());
        assert!(check_host("10.0.0.1").is_err());
        assert!(check_host("Web_App.lan").is_err());
        assert!(check_path("/").is_ok());
        assert!(check_path("/a//b").is_err());
        assert!(check_path("a").is_err());
        assert!(check_path("/a/.").is_err());
        assert!(check_path("/a/..").is_err());
        assert!(check_path("/a.b/c..d").is_ok());
    }

    #[test]
    fn labels_and_subdomains() {
        assert!(is_dns1123_label("web-1"));
        assert!(is_dns1123_label("1web"));
        assert!(is_dns1123_label(&"a".repeat(63)));
        assert!(!is_dns1123_label(&"a".repeat(64)));
        for bad in ["", "-web", "web-", "Web", "we_b", "web.1"] {
            assert!(!is_dns1123_label(bad), "{bad}");
        }
        assert!(is_dns1035_label("a") && is_dns1035_label("web-1"));
        for bad in ["", "-web", "web-", "Web", "we_b", &"a".repeat(64)] {
            assert!(!is_dns1035_label(bad), "{bad}");
        }
        assert!(is_dns1123_subdomain(&format!("{}.example.com", "a".repeat(64))));
        assert!(!is_dns1123_subdomain("a..b"));
        assert!(!is_dns1123_subdomain(""));
        assert!(!is_dns1123_subdomain("-a.b") && !is_dns1123_subdomain("a.B"));
        let long = format!("{}a", "a.".repeat(126));
        assert!(long.len() == 253 && is_dns1123_subdomain(&long));
        assert!(!is_dns1123_subdomain(&format!("a.{long}")));
        assert!(!is_dns1035_label("1web"));
        assert!(is_iana_port_name("http-alt"));
        assert!(!is_iana_port_name("http--alt"));
        assert!(is_iana_port_name("h2c") && is_iana_port_name(&"a".repeat(15)));
        for bad in ["", "8080", "-http", "http-", "Http", "http_alt", &"a".repeat(16)] {
            assert!(!is_iana_port_name(bad), "{bad}");
        }
    }
}
