//! Header values for generated ids without an allocation per response.
//!
//! A `HeaderValue` that is not `'static` owns its bytes through `Bytes`, and
//! making one from a slice allocates. Each thread instead copies its ids
//! into a small buffer of its own and hands out shared slices of it
//! (`BytesMut::split`, then `freeze`): one allocation per [`CHUNK`] bytes,
//! about 1 per 39 ids. A buffer is freed when its last slice is dropped, so
//! what one response can keep alive is at most one buffer.

use std::cell::RefCell;

use bytes::BytesMut;
use http::HeaderValue;

/// Each thread's buffer size: 1 KiB, 39 request ids. Larger would save
/// little (0.05 allocations per response now) and let one response that is
/// kept (a cache, a long stream whose headers someone holds) pin more.
const CHUNK: usize = 1024;

thread_local! {
    static BUFFER: RefCell<BytesMut> = RefCell::new(BytesMut::new());
}

/// `bytes` (visible ASCII, at most [`CHUNK`] long) as a header value; the
/// `invalid` placeholder for anything else, which callers never pass.
pub(crate) fn value(bytes: &[u8]) -> HeaderValue {
    if bytes.len() > CHUNK {
        return HeaderValue::from_bytes(bytes)
            .unwrap_or_else(|_| HeaderValue::from_static("invalid"));
    }
    let shared = BUFFER.try_with(|buffer| {
        let mut buffer = buffer.borrow_mut();
        if buffer.capacity() - buffer.len() < bytes.len() {
            *buffer = BytesMut::with_capacity(CHUNK);
        }
        buffer.extend_from_slice(bytes);
        buffer.split().freeze()
    });
    match shared {
        Ok(shared) => HeaderValue::from_maybe_shared(shared),
        // The thread is exiting: its buffer is gone.
        Err(_) => HeaderValue::from_bytes(bytes),
    }
    .unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_share_a_buffer_and_keep_their_own_bytes() {
        let ids: Vec<String> = (0..200).map(|i| format!("01ARZ3NDEK{i:016}")).collect();
        let values: Vec<HeaderValue> = ids.iter().map(|id| value(id.as_bytes())).collect();
        for (id, value) in ids.iter().zip(&values) {
            assert_eq!(value.as_bytes(), id.as_bytes());
        }
        assert_eq!(value(b"has space").as_bytes(), b"has space");
        assert_eq!(value(b"bad\nline"), HeaderValue::from_static("invalid"));
        let long = "a".repeat(CHUNK + 1);
        assert_eq!(value(long.as_bytes()).as_bytes(), long.as_bytes());
    }
}
