//! `--status.state-file`: the last good Adobe answers survive a restart.
//!
//! After each successful refresh a writer task stores the upstream bodies it came from (events,
//! scheduled, and each registry part's last good body, deflated) in the file: atomically (a
//! temporary file in the same directory, fsync, rename), mode 0600, off the request path. At
//! start, before the server listens, [`open`] reads the file back and re-runs the pure pipeline
//! on those bodies at the current time, so an incident that ended by the clock meanwhile is not
//! shown as ongoing, and the derivation may change without changing the file's format
//! (`format.rs`). A missing file is a first start; any other problem with it is one warning,
//! and the exporter starts as it would without the flag. Nothing secret is ever written: the
//! file holds Adobe's public answers and the watched scope, never a token or the client secret.
//!
//! Memory: the writer holds the bodies deflated (the registry is otherwise kept only as lookup
//! tables, `snapshot::Registry`); an answer identical to the one held is not deflated again.

pub mod format;

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use tokio::sync::Notify;
use tracing::{info, warn};

pub use format::{Deflating, FormatError, Section, SectionHead, StateFile, StoredBody};

use crate::metrics::ExporterMetrics;
use crate::pipeline::{self, BodyError, Derived};
use crate::snapshot::{Registry, RegistryParts, Watch};
use crate::timestamp::{format_rfc3339, unix_now, unix_seconds};
use crate::upstream::Api;

/// Adobe's events reach back 40 days: a file older than that holds nothing Adobe would still
/// answer, so it is not served.
pub const MAX_AGE: Duration = Duration::from_secs(40 * 24 * 3600);
/// The largest file read. At 100× the real catalogue a file is about 1 MiB (BENCHMARKS.md).
pub const MAX_FILE_BYTES: u64 = 16 << 20;
/// How long a start may wait for the file; past it the exporter starts without it.
pub const LOAD_BUDGET: Duration = Duration::from_secs(1);
/// A file written this far ahead of the clock is not trusted (its age would be negative).
const CLOCK_SLACK: f64 = 300.0;

/// Where the file is and what its data must have been fetched for.
#[derive(Debug, Clone)]
pub struct StateOptions {
    pub path: PathBuf,
    /// `Config::state_scope`: a file written for another scope is not used.
    pub scope: String,
    pub watch: Watch,
    /// Largest body accepted (`--status.max-response-size`), inflated.
    pub max_body: usize,
}

/// Why a state file was not used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read it: {0}")]
    Read(String),
    #[error("it has {size} bytes, more than the {MAX_FILE_BYTES} a state file may have")]
    TooLarge { size: u64 },
    #[error(transparent)]
    Format(#[from] FormatError),
    #[error("it was written for another scope ({found:?}; this exporter is configured for {expected:?})")]
    OtherScope { found: String, expected: String },
    #[error("its data is {days} days old, older than the 40 days Adobe keeps events")]
    TooOld { days: u64 },
    #[error("its data is dated {seconds:.0} s ahead of this machine's clock")]
    FromTheFuture { seconds: f64 },
    #[error("it holds no {0} body")]
    MissingBody(&'static str),
    #[error("its {api} body does not parse: {error}", api = .0.api.label(), error = .0.error)]
    Parse(BodyError),
    #[error("deriving the snapshot from it failed: {0}")]
    Derive(String),
}

/// What the refresh gate publishes from a state file until a live refresh succeeds.
#[derive(Debug)]
pub struct Restored {
    pub registry: Registry,
    pub derived: Derived,
    /// When the data was fetched from Adobe (its true age).
    pub last_success: SystemTime,
    /// When the product list in the file was fetched.
    pub registry_success: Option<SystemTime>,
}

/// A file that was read and used.
#[derive(Debug)]
pub struct Loaded {
    pub restored: Restored,
    pub file: StateFile,
    /// Where each section's body is in the file (the writer copies unchanged ones from there).
    pub offsets: Vec<u64>,
}

/// Read, check and derive the state file at `options.path` (blocking). `Ok(None)`: there is
/// none, a first start.
pub fn load(options: &StateOptions, now: f64) -> Result<Option<Loaded>, LoadError> {
    let file = match File::open(&options.path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(LoadError::Read(err.to_string())),
    };
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| LoadError::Read(err.to_string()))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            size: fs::metadata(&options.path).map_or(bytes.len() as u64, |m| m.len()),
        });
    }
    let (file, offsets) = format::decode_located(&bytes)?;
    drop(bytes);
    let restored = restore(&file, options, now)?;
    Ok(Some(Loaded {
        restored,
        file,
        offsets,
    }))
}

/// The checks on a decoded file, then the pipeline on its bodies at `now`.
pub fn restore(file: &StateFile, options: &StateOptions, now: f64) -> Result<Restored, LoadError> {
    if file.scope != options.scope {
        return Err(LoadError::OtherScope {
            found: file.scope.clone(),
            expected: options.scope.clone(),
        });
    }
    let age = now - file.last_success_unix;
    if age < -CLOCK_SLACK {
        return Err(LoadError::FromTheFuture { seconds: -age });
    }
    if age > MAX_AGE.as_secs_f64() {
        return Err(LoadError::TooOld {
            days: (age / 86_400.0) as u64,
        });
    }
    let body = |api: Api| -> Result<Vec<u8>, LoadError> {
        let section = file
            .section(api)
            .ok_or(LoadError::MissingBody(api.label()))?;
        Ok(section.body.inflate(api, options.max_body)?)
    };
    // One registry part at a time: its parsed answer is dropped once its table is built.
    let mut registry = Registry::default();
    for api in Api::REGISTRY {
        if file.section(api).is_none() {
            continue;
        }
        let mut part = RegistryParts::default();
        pipeline::parse_registry_part(&mut part, api, &body(api)?).map_err(LoadError::Parse)?;
        registry = registry.updated(&part);
    }
    let feeds = pipeline::parse_events(&body(Api::Events)?, &body(Api::Scheduled)?)
        .map_err(LoadError::Parse)?;
    let derived = pipeline::derive_and_encode(&registry, feeds, &options.watch, now, None)
        .map_err(|err| LoadError::Derive(err.to_string()))?;
    Ok(Restored {
        registry,
        derived,
        last_success: system_time(file.last_success_unix),
        registry_success: file
            .section(Api::Products)
            .map(|s| system_time(s.fetched_unix)),
    })
}

fn system_time(unix: f64) -> SystemTime {
    Duration::try_from_secs_f64(unix)
        .ok()
        .and_then(|d| UNIX_EPOCH.checked_add(d))
        .unwrap_or(UNIX_EPOCH)
}

/// At start: read the file (within [`LOAD_BUDGET`]), say in one line what came of it, and start
/// the writer. The restored data is for `Refresher::restore`.
pub async fn open(
    options: StateOptions,
    metrics: Arc<ExporterMetrics>,
) -> (Option<Restored>, StateWriter) {
    let path = options.path.display().to_string();
    // One line at start, whatever is wrong: a file that cannot be written and cannot be read
    // is one problem to its operator, not two.
    let write_error = probe_writable(&options.path).err().map(|e| e.to_string());
    let reading = options.clone();
    let now = unix_now();
    let loaded = tokio::time::timeout(
        LOAD_BUDGET,
        tokio::task::spawn_blocking(move || load(&reading, now)),
    )
    .await
    .map_err(|_| format!("reading it took longer than {LOAD_BUDGET:?}"))
    .and_then(|joined| joined.map_err(|e| e.to_string()))
    .and_then(|loaded| loaded.map_err(|e| e.to_string()));
    let mut seed = None;
    let restored = match loaded {
        Ok(Some(loaded)) => {
            let summary = loaded.restored.derived.encoded.summary();
            let age_seconds = (now - loaded.file.last_success_unix).max(0.0) as u64;
            let last_success = format_rfc3339(loaded.file.last_success_unix);
            macro_rules! loaded {
                ($level:ident) => {
                    $level!(
                        path,
                        last_success,
                        age_seconds,
                        products = summary.products,
                        ongoing_incidents = summary.ongoing_incidents,
                        maintenances = summary.maintenance_series,
                        write_error,
                        "loaded the state file: serving its data with adobe_status_up 0 until Adobe answers"
                    )
                };
            }
            if write_error.is_some() {
                loaded!(warn);
            } else {
                loaded!(info);
            }
            seed = Some((loaded.file, loaded.offsets));
            Some(loaded.restored)
        }
        Ok(None) if write_error.is_some() => {
            warn!(
                path,
                write_error,
                "cannot write the state file: the exporter runs on, but a restart will start without the last good data"
            );
            None
        }
        Ok(None) => {
            info!(
                path,
                "no state file yet (a first start): it is written after the first successful refresh"
            );
            None
        }
        Err(error) => {
            warn!(
                path,
                error, write_error, "state file not used; starting without it"
            );
            None
        }
    };
    let writer = StateWriter::start(options, seed, metrics, write_error.is_some());
    (restored, writer)
}

/// One body as a refresh hands it over: the answer the file holds already (recognised by
/// length and crc32, not deflated again), or a new one, deflated.
#[derive(Debug, Clone)]
pub enum Kept {
    Same,
    New(StoredBody),
}

/// Hands the bodies of good refreshes to a task that writes the file. Cheap to clone.
///
/// Between writes it holds no bodies: a section that is in the file is remembered by where it
/// is there (and its crc32), and the next write copies it across from the old file. Only an
/// answer that changed is in memory, deflated, from the refresh that fetched it until the
/// write after it.
#[derive(Debug, Clone)]
pub struct StateWriter {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    path: PathBuf,
    scope: String,
    pending: Mutex<Pending>,
    wake: Notify,
    metrics: Arc<ExporterMetrics>,
}

/// What the next write holds.
#[derive(Debug, Default)]
struct Pending {
    held: HashMap<Api, Held>,
    last_success_unix: f64,
    /// A refresh succeeded since the last write.
    dirty: bool,
}

#[derive(Debug, Clone)]
struct Held {
    head: SectionHead,
    /// Of the deflated bytes: a copy from the old file is checked against it.
    deflated_crc: u32,
    place: Place,
}

#[derive(Debug, Clone)]
enum Place {
    Memory(Bytes),
    /// Offset of the deflated bytes in the file as last written.
    File(u64),
}

impl Held {
    fn new(api: Api, fetched_unix: f64, body: StoredBody) -> Held {
        let section = Section {
            api,
            fetched_unix,
            body,
        };
        Held {
            head: section.head(),
            deflated_crc: crc32fast::hash(section.body.deflated()),
            place: Place::Memory(section.body.deflated().clone()),
        }
    }
}

impl StateWriter {
    /// Start the writer task. `seed`: the file read at start and where its bodies are in it:
    /// its registry parts stay the last good ones until Adobe answers for them. `failing`: a
    /// write already failed (one warning per failure streak).
    pub fn start(
        options: StateOptions,
        seed: Option<(StateFile, Vec<u64>)>,
        metrics: Arc<ExporterMetrics>,
        failing: bool,
    ) -> StateWriter {
        let mut pending = Pending::default();
        if let Some((file, offsets)) = seed {
            for (section, offset) in file.sections.into_iter().zip(offsets) {
                let mut held = Held::new(section.api, section.fetched_unix, section.body);
                held.place = Place::File(offset);
                pending.held.insert(section.api, held);
            }
        }
        let shared = Arc::new(Shared {
            path: options.path,
            scope: options.scope,
            pending: Mutex::new(pending),
            wake: Notify::new(),
            metrics,
        });
        tokio::spawn(write_loop(Arc::clone(&shared), failing));
        StateWriter { shared }
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.shared
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// `body` of `api` as the file will store it. Deflating is CPU: call it off the async
    /// workers for the event feeds.
    pub fn body_for(&self, api: Api, body: &[u8]) -> Kept {
        if self.holds(api, body.len() as u64, crc32fast::hash(body)) {
            Kept::Same
        } else {
            Kept::New(StoredBody::deflate(body))
        }
    }

    /// A body deflated as it was read ([`Deflating`]), as the file will store it.
    pub fn deflated_for(&self, api: Api, body: StoredBody) -> Kept {
        let (len, crc) = body.raw();
        if self.holds(api, len, crc) {
            Kept::Same
        } else {
            Kept::New(body)
        }
    }

    /// Whether the answer of `api` the file holds has this length and crc32.
    fn holds(&self, api: Api, len: u64, crc: u32) -> bool {
        self.pending()
            .held
            .get(&api)
            .is_some_and(|held| held.head.raw_len == len && held.head.raw_crc == crc)
    }

    /// A registry part's good answer, for the next write (a registry part keeps its last good
    /// copy, as in the refresh gate).
    pub fn keep_part(&self, api: Api, body: &[u8], fetched: SystemTime) {
        let kept = self.body_for(api, body);
        hold(&mut self.pending(), api, kept, unix_seconds(fetched));
    }

    /// A refresh succeeded with these event bodies: write the file (soon, on the writer task).
    pub fn published(&self, events: Kept, scheduled: Kept, at: SystemTime) {
        let at = unix_seconds(at);
        {
            let mut pending = self.pending();
            let events = hold(&mut pending, Api::Events, events, at);
            let scheduled = hold(&mut pending, Api::Scheduled, scheduled, at);
            // `Same` for a body forgotten meanwhile (the file changed on disk): the next
            // refresh deflates it again.
            if !(events && scheduled) {
                return;
            }
            pending.last_success_unix = at;
            pending.dirty = true;
        }
        self.shared.wake.notify_one();
    }
}

/// Record `kept` for `api`; false when it is `Same` as a body no longer held.
fn hold(pending: &mut Pending, api: Api, kept: Kept, fetched_unix: f64) -> bool {
    match kept {
        Kept::New(body) => {
            pending.held.insert(api, Held::new(api, fetched_unix, body));
            true
        }
        Kept::Same => match pending.held.get_mut(&api) {
            Some(held) => {
                held.head.fetched_unix = fetched_unix;
                true
            }
            None => false,
        },
    }
}

/// Waits for a published refresh and writes the file, the newest data first: refreshes that
/// finished while a write was running are one write.
async fn write_loop(shared: Arc<Shared>, mut failing: bool) {
    loop {
        shared.wake.notified().await;
        let (last_success_unix, mut sections) = {
            let mut pending = shared.pending.lock().unwrap_or_else(|e| e.into_inner());
            if !pending.dirty {
                continue;
            }
            pending.dirty = false;
            let sections: Vec<Held> = pending.held.values().cloned().collect();
            (pending.last_success_unix, sections)
        };
        sections.sort_by_key(|held| held.head.api.label());
        let (path, scope) = (shared.path.clone(), shared.scope.clone());
        let written = tokio::task::spawn_blocking(move || {
            write_sections(&path, last_success_unix, &scope, &sections).map(|at| (sections, at))
        })
        .await
        .map_err(std::io::Error::other)
        .and_then(|result| result);
        let path = shared.path.display().to_string();
        match written {
            Ok((sections, offsets)) => {
                // Every body written is now in the file: memory holds none of them.
                let mut pending = shared.pending.lock().unwrap_or_else(|e| e.into_inner());
                for (written, offset) in sections.iter().zip(offsets) {
                    if let Some(held) = pending.held.get_mut(&written.head.api) {
                        if held.deflated_crc == written.deflated_crc
                            && held.head.deflated_len == written.head.deflated_len
                        {
                            held.place = Place::File(offset);
                        }
                    }
                }
                drop(pending);
                if failing {
                    failing = false;
                    info!(path, "the state file is written again");
                }
            }
            Err(err) => {
                if err.get_ref().is_some_and(|e| e.is::<FileChanged>()) {
                    // Bodies that were to be copied from the file are gone: forget them, so
                    // the next refreshes deflate their answers anew.
                    let mut pending = shared.pending.lock().unwrap_or_else(|e| e.into_inner());
                    pending
                        .held
                        .retain(|_, held| matches!(held.place, Place::Memory(_)));
                }
                shared.metrics.state_write_failed();
                if !failing {
                    failing = true;
                    warn!(
                        path,
                        error = err.to_string(),
                        "cannot write the state file (counted in adobe_status_state_write_failures_total); refreshes go on, a restart now would start without the newest data"
                    );
                }
            }
        }
    }
}

/// The file as last written is not what the writer wrote (changed or removed by someone else).
#[derive(Debug, thiserror::Error)]
#[error("the state file changed on disk since it was written")]
struct FileChanged;

fn file_changed() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, FileChanged)
}

/// Write `sections` to `path` atomically ([`write_atomically`]); bodies held in memory are
/// written from there, the others copied from the file being replaced. Returns where each
/// body is in the new file.
fn write_sections(
    path: &Path,
    last_success_unix: f64,
    scope: &str,
    sections: &[Held],
) -> std::io::Result<Vec<u64>> {
    let in_file = sections
        .iter()
        .any(|held| matches!(held.place, Place::File(_)));
    let mut old = if in_file {
        Some(File::open(path).map_err(|_| file_changed())?)
    } else {
        None
    };
    let heads: Vec<SectionHead> = sections.iter().map(|held| held.head).collect();
    write_atomically(path, |out| {
        format::encode_streaming(
            last_success_unix,
            unix_now(),
            scope,
            &heads,
            |i, out| match (&sections[i].place, old.as_mut()) {
                (Place::Memory(bytes), _) => out.write_all(bytes),
                (Place::File(offset), Some(old)) => copy_checked(old, *offset, &sections[i], out),
                (Place::File(_), None) => Err(file_changed()),
            },
            out,
        )
    })
}

/// Copy `held`'s deflated bytes from the old file at `offset`, checking their crc32.
fn copy_checked(
    old: &mut File,
    offset: u64,
    held: &Held,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    old.seek(SeekFrom::Start(offset))
        .map_err(|_| file_changed())?;
    let mut source = old.take(held.head.deflated_len);
    let mut crc = crc32fast::Hasher::new();
    let mut copied = 0u64;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = source.read(&mut buffer).map_err(|_| file_changed())?;
        if n == 0 {
            break;
        }
        crc.update(&buffer[..n]);
        out.write_all(&buffer[..n])?;
        copied += n as u64;
    }
    if copied != held.head.deflated_len || crc.finalize() != held.deflated_crc {
        return Err(file_changed());
    }
    Ok(())
}

/// The temporary file next to `path` that a write goes through.
fn temporary(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "state".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.tmp"))
}

/// Create (mode 0600) and truncate the temporary file.
fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        // A temporary file left by an earlier run keeps its mode through `open`.
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
}

/// Write a file to `path` with `encode` so that a crash at any moment leaves either the old
/// file or the new one: a temporary file (mode 0600) in the same directory, fsync, rename over
/// `path`, fsync the directory.
pub fn write_atomically<T>(
    path: &Path,
    encode: impl FnOnce(&mut BufWriter<&mut File>) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let temporary = temporary(path);
    let result = (|| {
        let mut out = create_private(&temporary)?;
        let mut buffered = BufWriter::with_capacity(64 * 1024, &mut out);
        let value = encode(&mut buffered)?;
        buffered.flush()?;
        drop(buffered);
        out.sync_all()?;
        fs::rename(&temporary, path)?;
        Ok(value)
    })();
    if result.is_err() {
        // A partial temporary file would only hold disk space (a full disk is one cause).
        let _ = fs::remove_file(&temporary);
        return result;
    }
    // The rename itself is durable once the directory is; some filesystems refuse the fsync of
    // a directory, which costs nothing but that guarantee.
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    result
}

/// Whether a write next to `path` can work at all (at start: one warning, not one per refresh).
fn probe_writable(path: &Path) -> std::io::Result<()> {
    if path.is_dir() {
        return Err(std::io::Error::other("it is a directory"));
    }
    let temporary = temporary(path);
    create_private(&temporary)?;
    fs::remove_file(&temporary)
}

#[cfg(test)]
mod tests;
