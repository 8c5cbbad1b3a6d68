//! The state file's checks and the restore through the real pipeline, on plain bodies; the
//! writer against a real directory.

use super::*;

const NOW: f64 = 1_800_000_000.0;
const PRODUCTS: &[u8] =
    br#"[{"id":"503462","name":"Adobe Analytics"},{"id":"503472","name":"AEM"}]"#;
/// A Major incident on Analytics with no end, and a Minor one on AEM that ends at NOW + 600.
const EVENTS: &[u8] = br#"{"incidents":[
    {"id":"1001","products":[{"id":"503462","severity":"Major","status":"Opened"}]},
    {"id":"1002","products":[{"id":"503472","severity":"Minor","status":"Opened","endedOn":1800000600}]}
]}"#;

fn options() -> StateOptions {
    StateOptions {
        path: PathBuf::from("unused"),
        scope: "product-ids=*".into(),
        watch: Watch::all(),
        max_body: 1 << 20,
    }
}

fn file_with(sections: &[(Api, &[u8])]) -> StateFile {
    StateFile {
        last_success_unix: NOW,
        written_unix: NOW,
        scope: "product-ids=*".into(),
        sections: sections
            .iter()
            .map(|(api, body)| Section {
                api: *api,
                fetched_unix: NOW - 60.0,
                body: StoredBody::deflate(body),
            })
            .collect(),
    }
}

fn good_file() -> StateFile {
    file_with(&[
        (Api::Events, EVENTS),
        (Api::Scheduled, b"[]"),
        (Api::Products, PRODUCTS),
    ])
}

fn exposition(restored: Restored) -> String {
    pipeline::healthy_exposition(restored.derived.encoded, NOW)
        .unwrap()
        .to_text()
}

#[test]
fn a_restore_derives_the_stored_incidents_with_names_from_the_stored_registry() {
    let restored = restore(&good_file(), &options(), NOW + 60.0).unwrap();
    assert_eq!(restored.derived.snapshot.incidents.len(), 2);
    assert_eq!(unix_seconds(restored.last_success), NOW);
    assert_eq!(
        restored.registry_success.map(unix_seconds),
        Some(NOW - 60.0)
    );
    let text = exposition(restored);
    assert!(
        text.contains(r#"product_id="503462",product_name="Adobe Analytics""#),
        "{text}"
    );
    assert!(text.contains(
        r#"adobe_status_product_incidents{product_id="503462",incident_severity="major"} 1"#
    ));
}

#[test]
fn an_incident_that_ended_by_the_clock_since_the_file_was_written_is_not_ongoing() {
    let later = restore(&good_file(), &options(), NOW + 601.0).unwrap();
    let ongoing: Vec<&str> = later
        .derived
        .snapshot
        .incidents
        .iter()
        .map(|i| i.incident_id.as_str())
        .collect();
    assert_eq!(ongoing, ["1001"]);
}

#[test]
fn another_scope_an_old_file_a_future_one_and_a_missing_feed_are_refused() {
    let mut other = options();
    other.scope = "product-ids=503462".into();
    assert!(matches!(
        restore(&good_file(), &other, NOW),
        Err(LoadError::OtherScope { .. })
    ));
    let forty_one_days = 41.0 * 86_400.0;
    assert!(matches!(
        restore(&good_file(), &options(), NOW + forty_one_days),
        Err(LoadError::TooOld { days: 41 })
    ));
    assert!(matches!(
        restore(&good_file(), &options(), NOW - 3600.0),
        Err(LoadError::FromTheFuture { .. })
    ));
    let no_scheduled = file_with(&[(Api::Events, EVENTS)]);
    assert!(matches!(
        restore(&no_scheduled, &options(), NOW),
        Err(LoadError::MissingBody("scheduled"))
    ));
    let bad_events = file_with(&[(Api::Events, b"{not json"), (Api::Scheduled, b"[]")]);
    let err = restore(&bad_events, &options(), NOW).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("its events body does not parse"),
        "{err}"
    );
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ase-state-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn an_atomic_write_is_private_leaves_no_temporary_file_and_loads_back() {
    let dir = temp_dir("write");
    let path = dir.join("state.bin");
    write_atomically(&path, |out| format::encode(&good_file(), out)).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["state.bin"]);
    let mut at = options();
    at.path = path;
    let loaded = load(&at, NOW).unwrap().unwrap();
    assert_eq!(loaded.file, good_file());
}

#[test]
fn a_missing_file_is_none_and_a_truncated_or_oversized_one_an_error() {
    let dir = temp_dir("load");
    let mut at = options();
    at.path = dir.join("state.bin");
    assert!(load(&at, NOW).unwrap().is_none());
    let bytes = format::to_bytes(&good_file());
    fs::write(&at.path, &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(
        load(&at, NOW),
        Err(LoadError::Format(FormatError::Truncated { .. }))
    ));
    fs::write(&at.path, vec![0u8; MAX_FILE_BYTES as usize + 1]).unwrap();
    assert!(matches!(load(&at, NOW), Err(LoadError::TooLarge { .. })));
}

fn seed() -> Option<(StateFile, Vec<u64>)> {
    let bytes = format::to_bytes(&good_file());
    Some(format::decode_located(&bytes).unwrap())
}

fn new(body: &[u8]) -> Kept {
    Kept::New(StoredBody::deflate(body))
}

async fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn read_file(path: &Path) -> Option<StateFile> {
    format::decode(&fs::read(path).ok()?).ok()
}

fn bodies_in_memory(writer: &StateWriter) -> usize {
    writer
        .pending()
        .held
        .values()
        .filter(|held| matches!(held.place, Place::Memory(_)))
        .count()
}

/// Each publish is written; between writes no body is in memory, and the next write copies the
/// unchanged ones across from the file. A write that fails (here: a directory where the file
/// should be) is counted, and leaves no temporary file.
#[tokio::test]
async fn the_writer_writes_each_publish_copying_unchanged_bodies_from_the_file() {
    let dir = temp_dir("writer");
    let path = dir.join("state.bin");
    write_atomically(&path, |out| format::encode(&good_file(), out)).unwrap();
    let metrics = Arc::new(ExporterMetrics::new());
    let mut at = options();
    at.path = path.clone();
    let writer = StateWriter::start(at, seed(), Arc::clone(&metrics), false);
    assert_eq!(bodies_in_memory(&writer), 0);
    // New events, the same scheduled feed and products as in the file.
    assert!(matches!(writer.body_for(Api::Scheduled, b"[]"), Kept::Same));
    assert!(matches!(
        writer.body_for(Api::Products, PRODUCTS),
        Kept::Same
    ));
    let second = UNIX_EPOCH + Duration::from_secs(1_800_000_100);
    writer.published(new(b"{}"), Kept::Same, second);
    wait_until("the second file", || {
        read_file(&path).is_some_and(|f| f.last_success_unix == 1_800_000_100.0)
    })
    .await;
    wait_until("no body in memory", || bodies_in_memory(&writer) == 0).await;
    let file = read_file(&path).unwrap();
    let inflated = |api: Api| {
        file.section(api)
            .unwrap()
            .body
            .inflate(api, 1 << 20)
            .unwrap()
    };
    assert_eq!(inflated(Api::Events), b"{}");
    assert_eq!(inflated(Api::Scheduled), b"[]");
    assert_eq!(inflated(Api::Products), PRODUCTS);
    assert_eq!(
        file.section(Api::Scheduled).unwrap().fetched_unix,
        1_800_000_100.0
    );
    assert_eq!(
        file.section(Api::Products).unwrap().fetched_unix,
        NOW - 60.0
    );

    // A third write copies from the second file, not the first.
    writer.published(Kept::Same, Kept::Same, second + Duration::from_secs(60));
    wait_until("the third file", || {
        read_file(&path).is_some_and(|f| f.last_success_unix == 1_800_000_160.0)
    })
    .await;
    assert_eq!(
        read_file(&path)
            .unwrap()
            .section(Api::Products)
            .unwrap()
            .body,
        file.section(Api::Products).unwrap().body
    );

    fs::remove_file(&path).unwrap();
    fs::create_dir(&path).unwrap();
    writer.published(new(b"{}"), new(b"[]"), SystemTime::now());
    wait_until("a failure counted", || metrics.state_write_failures() == 1).await;
    assert!(!temporary(&path).exists());
}

/// Someone else's bytes where the file was: the copy notices (crc32), nothing corrupt is
/// written, and the bodies it could not copy are deflated anew by the next refreshes.
#[tokio::test]
async fn a_file_changed_on_disk_is_never_copied_from() {
    let dir = temp_dir("changed");
    let path = dir.join("state.bin");
    let bytes = format::to_bytes(&good_file());
    fs::write(&path, &bytes).unwrap();
    let metrics = Arc::new(ExporterMetrics::new());
    let mut at = options();
    at.path = path.clone();
    let writer = StateWriter::start(at, seed(), Arc::clone(&metrics), false);
    let (file, offsets) = format::decode_located(&bytes).unwrap();
    let products = file
        .sections
        .iter()
        .position(|s| s.api == Api::Products)
        .unwrap();
    let mut damaged = bytes.clone();
    damaged[offsets[products] as usize] ^= 0xff;
    fs::write(&path, &damaged).unwrap();
    writer.published(new(b"{}"), new(b"[]"), SystemTime::now());
    wait_until("a failure counted", || metrics.state_write_failures() == 1).await;
    assert_eq!(fs::read(&path).unwrap(), damaged);
    assert!(matches!(
        writer.body_for(Api::Products, PRODUCTS),
        Kept::New(_)
    ));
    writer.published(new(b"{}"), new(b"[]"), SystemTime::now());
    wait_until("a good file again", || read_file(&path).is_some()).await;
    assert!(read_file(&path).unwrap().section(Api::Products).is_none());
}
