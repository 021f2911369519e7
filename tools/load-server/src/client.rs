//! `load-server client ADDR COUNT`: sends exactly `COUNT` requests over one
//! keep-alive connection, one at a time, and checks every answer is a 200.
//!
//! What `scripts/measure.sh` drives a server under callgrind with: `wrk`
//! cannot send an exact number of requests, and the instruction count per
//! request is the difference between two runs that differ only in how many
//! requests they served.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// The request every mode is measured with: the two headers.
const REQUEST: &str = "GET / HTTP/1.1\r\n\
    Host: localhost\r\n\
    Accept-Language: fr-CA, fr;q=0.9, en;q=0.5\r\n\
    X-Forwarded-For: 203.0.113.7, 127.0.0.1\r\n\
    \r\n";

/// The longest answer accepted (headers and body); a server that sends more
/// is broken for this purpose.
const MAX_RESPONSE: usize = 64 * 1024;

/// Sends `count` requests to `addr`; `Err` names the first thing that went
/// wrong.
pub(crate) fn run(addr: &str, count: u64) -> Result<(), String> {
    let stream = TcpStream::connect(addr).map_err(|e| format!("connect {addr}: {e}"))?;
    // Under valgrind a request takes about a millisecond; a minute without
    // an answer is a hung server, not a slow one.
    let timeout = Some(Duration::from_secs(60));
    stream
        .set_read_timeout(timeout)
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(timeout)
        .map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut writer = stream.try_clone().map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(stream);
    let mut body = Vec::new();
    for i in 0..count {
        writer
            .write_all(REQUEST.as_bytes())
            .map_err(|e| format!("request {i}: {e}"))?;
        let length = read_head(&mut reader).map_err(|e| format!("request {i}: {e}"))?;
        body.resize(length, 0);
        reader
            .read_exact(&mut body)
            .map_err(|e| format!("request {i}: body: {e}"))?;
    }
    Ok(())
}

/// Reads a response head; returns its `Content-Length` after checking the
/// status is 200.
fn read_head(reader: &mut impl BufRead) -> Result<usize, String> {
    let mut line = String::new();
    let mut status_ok = None;
    let mut length = None;
    let mut read = 0;
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(|e| e.to_string())?;
        read += n;
        if n == 0 || read > MAX_RESPONSE {
            return Err("connection closed or answer too long".to_owned());
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if status_ok.is_none() {
            status_ok = Some(trimmed.starts_with("HTTP/1.1 200 "));
            if status_ok == Some(false) {
                return Err(format!("status line {trimmed:?}"));
            }
        } else if let Some((name, value)) = trimmed.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok();
            }
        }
    }
    match length {
        Some(length) if length <= MAX_RESPONSE => Ok(length),
        _ => Err("no usable Content-Length".to_owned()),
    }
}
