//! The `watch` feature: an edit in the catalog's directory is served without
//! a call to `reload`.
#![cfg(feature = "watch")]

use std::fs;
use std::time::{Duration, Instant};

use crocodile_i18n::{Catalog, I18nLayer, Localizer};

#[test]
fn an_edited_file_is_served_after_the_debounce() {
    let dir = std::env::temp_dir().join(format!("crocodile-i18n-watch-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("en")).unwrap();
    fs::create_dir_all(dir.join("fr")).unwrap();
    fs::write(dir.join("en/m.ftl"), "hi = Hi\n").unwrap();
    fs::write(dir.join("fr/m.ftl"), "hi = Salut\n").unwrap();
    let layer = I18nLayer::new(
        Catalog::builder()
            .default_locale("en")
            .dir(&dir)
            .build()
            .unwrap(),
    );
    let watcher = layer.watch().unwrap();
    assert_eq!(watcher.dirs(), std::slice::from_ref(&dir));

    let fr = || {
        Localizer::new(layer.catalog(), "fr")
            .unwrap()
            .text("hi")
            .into_owned()
    };
    let wait_for = |want: &str| {
        let deadline = Instant::now() + Duration::from_secs(10);
        while fr() != want {
            assert!(Instant::now() < deadline, "still {:?}, not {want:?}", fr());
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    fs::write(dir.join("fr/m.ftl"), "hi = Coucou\n").unwrap();
    wait_for("Coucou");
    assert!(layer.generation() >= 1);

    // A broken edit is not served; the next good one is.
    fs::write(dir.join("fr/m.ftl"), "hi = Coucou\noops\n").unwrap();
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(fr(), "Coucou");
    fs::write(dir.join("fr/m.ftl"), "hi = Bonjour\n").unwrap();
    wait_for("Bonjour");

    drop(watcher);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_catalog_without_directories_cannot_be_watched() {
    let layer = I18nLayer::new(
        Catalog::builder()
            .default_locale("en")
            .source("en", "m.ftl", "hi = Hi")
            .build()
            .unwrap(),
    );
    let error = layer.watch().unwrap_err();
    assert!(error.to_string().contains("no directories"), "{error}");
}
