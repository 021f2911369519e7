//! The blocking parts: one feed fetched over HTTP, and the disk cache read
//! and written. Each runs inside `tokio::task::spawn_blocking`.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crocodile_forwarded::{
    ListFormat, MIN_IPV4_PREFIX_LEN, MIN_IPV6_PREFIX_LEN, Provider, parse_provider_list,
};
use ipnet::IpNet;

/// The HTTP client every fetch of one refresher uses.
pub(crate) fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        // The status is checked here, so that it is named in the warning.
        .http_status_as_error(false)
        .user_agent(concat!("crocodile-providers/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Fetches every URL of a feed and parses each body: the union of their
/// ranges, or the first failure, as text for the warning and the status.
pub(crate) fn fetch_feed(
    agent: &ureq::Agent,
    provider: Provider,
    format: ListFormat,
    urls: &[String],
) -> Result<Vec<IpNet>, String> {
    let mut ranges = Vec::new();
    for url in urls {
        let body = fetch_body(agent, url, format).map_err(|e| format!("{url}: {e}"))?;
        let parsed =
            parse_provider_list(provider, format, &body).map_err(|e| format!("{url}: {e}"))?;
        ranges.extend(parsed);
    }
    if ranges.is_empty() {
        return Err("the feed has no URL".to_owned());
    }
    Ok(ranges)
}

/// One GET: status 200 and at most the format's cap in bytes, read as at
/// most the cap + 1.
fn fetch_body(agent: &ureq::Agent, url: &str, format: ListFormat) -> Result<Vec<u8>, String> {
    let cap = format.max_body_len();
    let mut response = agent.get(url).call().map_err(|e| e.to_string())?;
    let status = response.status();
    if status != 200 {
        return Err(format!("HTTP status {status}, expected 200 OK"));
    }
    let mut body = Vec::new();
    response
        .body_mut()
        .with_config()
        .limit(u64::MAX)
        .reader()
        .take(cap as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| format!("reading the body: {e}"))?;
    if body.len() > cap {
        return Err(format!(
            "the body is over the {} KiB cap for {format}",
            cap / 1024
        ));
    }
    Ok(body)
}

/// The cache file of a provider in `dir`.
pub(crate) fn cache_path(dir: &Path, provider: Provider) -> PathBuf {
    dir.join(format!("{}.txt", provider.name()))
}

/// The largest cache file read: the largest list a provider may send.
const CACHE_MAX: u64 = 4 * 1024 * 1024;

/// Reads a cache file: its ranges and the time it was written. `Ok(None)`
/// when there is no file.
pub(crate) fn read_cache(path: &Path) -> Result<Option<(Vec<IpNet>, SystemTime)>, String> {
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let written = file
        .metadata()
        .and_then(|m| m.modified())
        .map_err(|e| e.to_string())?;
    let mut text = String::new();
    file.take(CACHE_MAX + 1)
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    if text.len() as u64 > CACHE_MAX {
        return Err(format!("over {} MiB", CACHE_MAX >> 20));
    }
    let ranges = parse_cache(&text)?;
    Ok(Some((ranges, written)))
}

/// One CIDR a line; `#` starts a comment line. The sanity checks of the
/// network lists apply: no host bits, nothing broader than /8 or /16, not
/// empty.
pub(crate) fn parse_cache(text: &str) -> Result<Vec<IpNet>, String> {
    let mut ranges = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let net: IpNet = line
            .parse()
            .map_err(|_| format!("line {}: not a CIDR", i + 1))?;
        if net.trunc() != net {
            return Err(format!("line {}: {net} has host bits set", i + 1));
        }
        let min = match net {
            IpNet::V4(_) => MIN_IPV4_PREFIX_LEN,
            IpNet::V6(_) => MIN_IPV6_PREFIX_LEN,
        };
        if net.prefix_len() < min {
            return Err(format!("line {}: {net} is broader than /{min}", i + 1));
        }
        ranges.push(net);
    }
    if ranges.is_empty() {
        return Err("no range".to_owned());
    }
    Ok(ranges)
}

/// Writes a provider's last good list: a temporary file in the same
/// directory, synced, then renamed over the old one, so a reader sees the
/// old list or the new one, never a part.
pub(crate) fn write_cache(
    dir: &Path,
    provider: Provider,
    origin: &str,
    ranges: &[IpNet],
) -> io::Result<PathBuf> {
    fs::create_dir_all(dir)?;
    let path = cache_path(dir, provider);
    let tmp = dir.join(format!(
        ".{}.txt.{}.tmp",
        provider.name(),
        std::process::id()
    ));
    let mut text = format!("# crocodile-providers: the last good {provider} list, from {origin}\n");
    for net in ranges {
        text.push_str(&net.to_string());
        text.push('\n');
    }
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        fs::rename(&tmp, &path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map(|()| path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_text_is_checked_like_a_list() {
        let ok = parse_cache("# comment\n192.0.2.0/24\n\n2001:db8::/32\n").unwrap();
        assert_eq!(ok.len(), 2);
        assert!(parse_cache("# only a comment\n").is_err());
        assert!(
            parse_cache("0.0.0.0/0\n")
                .unwrap_err()
                .contains("broader than /8")
        );
        assert!(
            parse_cache("::/0\n")
                .unwrap_err()
                .contains("broader than /16")
        );
        assert!(
            parse_cache("192.0.2.1/24\n")
                .unwrap_err()
                .contains("host bits")
        );
        assert!(parse_cache("garbage\n").unwrap_err().contains("line 1"));
    }

    #[test]
    fn cache_round_trips() {
        let dir =
            std::env::temp_dir().join(format!("crocodile-providers-unit-{}", std::process::id()));
        let ranges: Vec<IpNet> = vec![
            "198.51.100.0/24".parse().unwrap(),
            "2001:db8:1::/48".parse().unwrap(),
        ];
        let path = write_cache(&dir, Provider::Fastly, "http://127.0.0.1/x", &ranges).unwrap();
        let (read, _) = read_cache(&path).unwrap().unwrap();
        assert_eq!(read, ranges);
        assert!(read_cache(&dir.join("absent.txt")).unwrap().is_none());
        fs::remove_dir_all(&dir).unwrap();
    }
}
