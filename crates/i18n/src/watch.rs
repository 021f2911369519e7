//! [`CatalogWatcher`]: reloads a layer's catalog when its files change
//! (`watch` feature).

use std::fmt;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

use notify::event::ModifyKind;
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::I18nLayer;

/// How long the directories must be quiet before a reload: an editor's save
/// (write a temporary file, rename it over the old one) or a `git checkout`
/// is many events and should be one reload.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// Reloads an [`I18nLayer`]'s catalog when files in its directories change;
/// made by [`I18nLayer::watch`]. Watching stops when it is dropped.
///
/// Changes are debounced (200 ms of quiet), then the layer is
/// [reloaded](I18nLayer::reload): a catalog that builds is served from the
/// next request on and its [`ReloadReport`](crate::ReloadReport) traced at
/// `info`; one that does not is traced at `warn` with every problem, and the
/// old catalog stays. Only creating, changing, renaming or removing `.ftl`
/// files and directories (names without an extension) counts.
#[cfg_attr(docsrs, doc(cfg(feature = "watch")))]
#[must_use = "watching stops when the watcher is dropped"]
pub struct CatalogWatcher {
    dirs: Vec<PathBuf>,
    // Dropping it ends notify's thread, which drops the sender, which ends ours.
    _watcher: RecommendedWatcher,
}

impl fmt::Debug for CatalogWatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CatalogWatcher")
            .field("dirs", &self.dirs)
            .finish_non_exhaustive()
    }
}

impl CatalogWatcher {
    /// The directories watched (the catalog's, as given to
    /// [`CatalogBuilder::dir`](crate::CatalogBuilder::dir)).
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }
}

/// [`I18nLayer::watch`] could not start.
#[cfg_attr(docsrs, doc(cfg(feature = "watch")))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchError {
    path: Option<PathBuf>,
    message: String,
}

impl fmt::Display for WatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "cannot watch {}: {}", path.display(), self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for WatchError {}

impl I18nLayer {
    /// Watches the catalog's directories (recursively) and reloads the
    /// layer when their `.ftl` files change, until the returned
    /// [`CatalogWatcher`] is dropped. The directories are those of the
    /// catalog served when `watch` is called.
    ///
    /// # Errors
    /// [`WatchError`] when the catalog was not read from a directory, or
    /// one cannot be watched (it does not exist, the system's limit of
    /// watches is reached).
    #[cfg_attr(docsrs, doc(cfg(feature = "watch")))]
    pub fn watch(&self) -> Result<CatalogWatcher, WatchError> {
        let dirs = self.catalog().dirs().to_vec();
        if dirs.is_empty() {
            return Err(WatchError {
                path: None,
                message: "the catalog has no directories to watch (built with `source` only)"
                    .to_owned(),
            });
        }
        let (tx, rx) = mpsc::channel::<()>();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| match event {
                Ok(event) if counts(&event) => {
                    let _ = tx.send(());
                }
                Ok(_) => {}
                Err(error) => tracing::debug!(%error, "catalog watcher error"),
            })
            .map_err(|e| WatchError {
                path: None,
                message: e.to_string(),
            })?;
        for dir in &dirs {
            watcher
                .watch(dir, RecursiveMode::Recursive)
                .map_err(|e| WatchError {
                    path: Some(dir.clone()),
                    message: e.to_string(),
                })?;
        }
        let layer = self.clone();
        thread::Builder::new()
            .name("crocodile-i18n-watch".to_owned())
            .spawn(move || {
                while rx.recv().is_ok() {
                    // Quiet for DEBOUNCE, or the watcher is gone.
                    loop {
                        match rx.recv_timeout(DEBOUNCE) {
                            Ok(()) => {}
                            Err(RecvTimeoutError::Timeout) => break,
                            Err(RecvTimeoutError::Disconnected) => return,
                        }
                    }
                    match layer.reload() {
                        Ok(report) => tracing::info!(%report, "i18n catalog reloaded"),
                        Err(errors) => tracing::warn!(
                            %errors,
                            "i18n catalog not reloaded; the previous one is still served"
                        ),
                    }
                }
            })
            .map_err(|e| WatchError {
                path: None,
                message: e.to_string(),
            })?;
        Ok(CatalogWatcher {
            dirs,
            _watcher: watcher,
        })
    }
}

/// Whether an event can change the catalog: reading files (as a reload
/// does) and metadata changes do not, nor files other than `.ftl` ones
/// (editors' swap and backup files).
fn counts(event: &notify::Event) -> bool {
    let kind = matches!(
        event.kind,
        EventKind::Any
            | EventKind::Create(_)
            | EventKind::Remove(_)
            | EventKind::Modify(
                ModifyKind::Any | ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Other
            )
    );
    kind && event
        .paths
        .iter()
        .any(|p| p.extension().is_none_or(|e| e == "ftl"))
}
