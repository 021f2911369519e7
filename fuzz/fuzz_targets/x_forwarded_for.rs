//! `X-Forwarded-For` over several header lines: the list split in both
//! directions, each entry's parse, and the rightmost-untrusted walk.
//!
//! Input: one selector byte (the trusted set), then header lines split on `\n`.
//! The first line also plays a client's forged prefix: the walk over the other
//! lines, once decided, must not change when it is added in front.

#![no_main]

use crocodile_forwarded::{
    ListEntries, X_FORWARDED_FOR, XForwardedFor, parse_node, rightmost_untrusted,
};
use crocodile_fuzz::{check_node, check_walk, header_map, is_decided, lines, trusted};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let trusted = trusted(selector);
    let lines = lines(rest);
    let map = header_map(&X_FORWARDED_FOR, &lines);

    // The raw list: non-empty, trimmed, comma-free entries, the same both ways.
    let entries: Vec<&[u8]> = ListEntries::new(map.get_all(X_FORWARDED_FOR)).collect();
    let mut entries_rev: Vec<&[u8]> = ListEntries::new(map.get_all(X_FORWARDED_FOR))
        .rev()
        .collect();
    entries_rev.reverse();
    assert_eq!(entries, entries_rev, "the list reads differently backwards");
    for entry in &entries {
        assert!(!entry.is_empty());
        assert!(!entry.contains(&b','), "{entry:?} holds a comma");
        assert!(
            !matches!(entry.first(), Some(b' ' | b'\t')),
            "{entry:?} untrimmed"
        );
        assert!(
            !matches!(entry.last(), Some(b' ' | b'\t')),
            "{entry:?} untrimmed"
        );
    }

    // Parsed entries: one per list entry, in order, both directions alike.
    let forward: Vec<_> = XForwardedFor::new(&map).collect();
    let rev: Vec<_> = XForwardedFor::new(&map).rev().collect();
    assert_eq!(forward.len(), entries.len());
    assert!(forward.iter().rev().eq(rev.iter()), "walks disagree");
    for (entry, parsed) in entries.iter().zip(&forward) {
        assert_eq!(&parse_node(entry), parsed);
        if let Ok(node) = parsed {
            check_node(node);
        }
    }

    // The trust walk stops where the rules say, and the client is in the header.
    let walk = rightmost_untrusted(&trusted, XForwardedFor::new(&map).rev());
    check_walk(&trusted, &rev, walk);

    // A forged prefix (the first line) can't change a walk the other lines decided.
    if lines.len() > 1 {
        let proxies = header_map(&X_FORWARDED_FOR, &lines[1..]);
        let decided = rightmost_untrusted(&trusted, XForwardedFor::new(&proxies).rev());
        if is_decided(&decided) && map.get_all(X_FORWARDED_FOR).iter().count() > 0 {
            assert_eq!(walk, decided, "a forged prefix changed the client");
        }
    }
});
