//! The evidence folder, file metadata, unboxing checks and packages against real files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fixtures;

use afterdesk_case::time::parse_china_time;
use afterdesk_case::{
    Case, CaseFacts, DeviceId, KindSource, Platform, Proof, RecordId, ScenarioKind,
};
use afterdesk_evidence::{
    CaseEvidence, Checklist, CopyProgress, EvidenceError, EvidenceFolder, Finding, INDEX_NAME,
    Ingested, PackageContents, UnboxingRules, appeal_risks, hash_file, write_package,
};
use chrono::{DateTime, Utc};
use rstest::rstest;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

fn now() -> DateTime<Utc> {
    parse_china_time("2026-03-03 09:00:00").unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn ingest(folder: &EvidenceFolder, path: &Path) -> Result<Ingested, EvidenceError> {
    folder.ingest(path, &mut |_| {}, &AtomicBool::new(false))
}

/// Every regular file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(files_under(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

fn proof_from(ingested: &Ingested, case: &Case, item: Option<&str>) -> Proof {
    Proof {
        id: RecordId::new(now()),
        case_id: case.id,
        item: item.map(str::to_owned),
        hash: ingested.hash.clone(),
        original_name: ingested.original_name.clone(),
        size: ingested.size,
        mime: ingested.meta.mime.clone(),
        captured_at: ingested.meta.captured_at,
        duration_ms: ingested.meta.duration_ms,
        added_by: "客服<小王>".to_owned(),
        added_at: now(),
        device: DeviceId("d".to_owned()),
        updated_at: now(),
        updated_by: DeviceId("d".to_owned()),
        deleted_at: None,
    }
}

fn return_case() -> Case {
    Case {
        id: RecordId::new(now()),
        platform: Platform::Taobao,
        facts: CaseFacts {
            refund_no: Some("2026030212345".to_owned()),
            buyer_nick: Some("<script>alert('买家')</script>".to_owned()),
            buyer_note: Some("收到的 & 不是我寄回的 <b>货</b>".to_owned()),
            reason_text: Some("质量问题".to_owned()),
            return_needed: Some(true),
            return_received_at: parse_china_time("2026-03-02 10:00:00"),
            ..CaseFacts::default()
        },
        kind: ScenarioKind::QualityIssue,
        kind_source: KindSource::Derived,
        flag: None,
        assignee: None,
        tags: Vec::new(),
        open: true,
        origin: String::new(),
        created_at: now(),
        updated_at: now(),
        updated_by: DeviceId("d".to_owned()),
        deleted_at: None,
    }
}

#[test]
fn a_photo_is_stored_under_its_hash_with_its_exif_time() {
    let dir = tempfile::tempdir().unwrap();
    let folder = EvidenceFolder::beside(&dir.path().join("shop.sqlite"));
    let photo = write(
        dir.path(),
        "底单.jpg",
        &fixtures::jpeg_with_exif("2026:03:02 10:20:00"),
    );
    let got = ingest(&folder, &photo).unwrap();
    assert_eq!(
        got.meta.mime.as_deref(),
        Some("image/jpeg"),
        "type by magic bytes"
    );
    assert_eq!(
        got.meta.captured_at,
        parse_china_time("2026-03-02 10:20:00"),
        "EXIF DateTimeOriginal without an offset is China time"
    );
    assert_eq!(got.meta.duration_ms, None, "a photo has no duration");
    assert_eq!(got.original_name, "底单.jpg");
    assert_eq!(
        got.stored,
        dir.path()
            .join("evidence")
            .join(&got.hash[..2])
            .join(&got.hash)
    );
    assert_eq!(
        std::fs::read(&got.stored).unwrap(),
        std::fs::read(&photo).unwrap(),
        "stored content is the file's"
    );
    let (hash, size) = hash_file(&photo, &mut |_| {}, &AtomicBool::new(false)).unwrap();
    assert_eq!(
        (hash, size),
        (got.hash.clone(), got.size),
        "the name is the content's SHA-256"
    );
}

#[rstest]
#[case::mp4(b"isom", "video/mp4", 4096)]
#[case::mov(b"qt  ", "video/quicktime", 4096)]
#[case::large_mp4_read_from_disk(b"isom", "video/mp4", 5 << 20)]
fn a_video_gives_its_recording_time_and_duration(
    #[case] brand: &[u8; 4],
    #[case] mime: &str,
    #[case] mdat_bytes: usize,
) {
    let dir = tempfile::tempdir().unwrap();
    let folder = EvidenceFolder::at(dir.path().join("evidence"));
    let recorded = parse_china_time("2026-03-02 10:20:00").unwrap();
    let bytes = fixtures::mp4(brand, recorded.timestamp() as u64, 95_000, mdat_bytes);
    let video = write(dir.path(), "开箱.mp4", &bytes);
    let got = ingest(&folder, &video).unwrap();
    assert_eq!(got.meta.mime.as_deref(), Some(mime), "type by magic bytes");
    assert_eq!(
        got.meta.captured_at,
        Some(recorded),
        "mvhd creation time is UTC"
    );
    assert_eq!(got.meta.duration_ms, Some(95_000), "duration from mvhd");
}

#[test]
fn the_same_content_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let folder = EvidenceFolder::at(dir.path().join("evidence"));
    let bytes = fixtures::jpeg_with_exif("2026:03:02 10:20:00");
    let first = ingest(&folder, &write(dir.path(), "a.jpg", &bytes)).unwrap();
    let second = ingest(&folder, &write(dir.path(), "b.jpg", &bytes)).unwrap();
    assert_eq!(first.hash, second.hash, "same content, same hash");
    assert!(
        !first.already_stored && second.already_stored,
        "the second copy is recognised"
    );
    let files: Vec<PathBuf> = files_under(folder.root())
        .into_iter()
        .filter(|p| !p.ends_with(".lock"))
        .collect();
    assert_eq!(
        files.len(),
        1,
        "one file on disk besides the folder's lock file, no leftovers"
    );
}

#[test]
fn cancelling_mid_copy_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let folder = EvidenceFolder::at(dir.path().join("evidence"));
    let big = write(
        dir.path(),
        "big.mov",
        &vec![7u8; 5 * afterdesk_evidence::COPY_BUFFER_BYTES],
    );
    let cancel = AtomicBool::new(false);
    let mut seen = Vec::new();
    let result = folder.ingest(
        &big,
        &mut |p: CopyProgress| {
            seen.push(p);
            cancel.store(true, Ordering::Relaxed);
        },
        &cancel,
    );
    assert!(
        matches!(result, Err(EvidenceError::Cancelled)),
        "cancel is reported: {result:?}"
    );
    assert_eq!(
        seen.len(),
        1,
        "the copy stops within one buffer of the cancel"
    );
    assert!(seen[0].done < seen[0].total, "it stopped mid-file");
    assert!(
        files_under(folder.root()).is_empty(),
        "no partial or hash-named file remains"
    );
}

#[test]
fn progress_reaches_the_total_in_bounded_steps() {
    let dir = tempfile::tempdir().unwrap();
    let folder = EvidenceFolder::at(dir.path().join("evidence"));
    let size = 3 * afterdesk_evidence::COPY_BUFFER_BYTES + 17;
    let file = write(dir.path(), "v.bin", &vec![1u8; size]);
    let mut steps = Vec::new();
    ingest_with(&folder, &file, &mut steps);
    assert_eq!(steps.len(), 4, "one report per buffer");
    assert_eq!(
        steps.last().map(|p| (p.done, p.total)),
        Some((size as u64, size as u64))
    );
}

fn ingest_with(folder: &EvidenceFolder, file: &Path, steps: &mut Vec<CopyProgress>) {
    folder
        .ingest(file, &mut |p| steps.push(p), &AtomicBool::new(false))
        .unwrap();
}

#[rstest]
#[case::truncated_header(60)]
#[case::header_cut_inside_mvhd(90)]
fn a_truncated_video_cannot_be_verified(#[case] keep: usize) {
    let dir = tempfile::tempdir().unwrap();
    let folder = EvidenceFolder::at(dir.path().join("evidence"));
    let recorded = parse_china_time("2026-03-02 10:20:00").unwrap();
    let mut bytes = fixtures::mp4(b"isom", recorded.timestamp() as u64, 95_000, 0);
    bytes.truncate(keep);
    let got = ingest(&folder, &write(dir.path(), "坏视频.mp4", &bytes)).unwrap();
    assert_eq!(
        got.meta.mime.as_deref(),
        Some("video/mp4"),
        "still known as a video"
    );
    assert_eq!(
        (got.meta.captured_at, got.meta.duration_ms),
        (None, None),
        "nothing is guessed"
    );
    let case = return_case();
    let proof = proof_from(&got, &case, Some("swapped_return.unboxing_video"));
    let evidence = CaseEvidence::build(
        &Checklist::bundled().unwrap(),
        &case,
        &[proof],
        &UnboxingRules::default(),
        None,
        now(),
    );
    let check = &evidence.unboxing[0];
    assert!(
        matches!(check.duration, Finding::CannotVerify(_))
            && matches!(check.timeliness, Finding::CannotVerify(_)),
        "a corrupt video is “cannot verify”, not pass or fail: {check:?}"
    );
}

#[rstest]
#[case::missing("missing", "找不到文件")]
#[case::directory("directory", "是文件夹")]
#[case::under_a_file("under_a_file", "无法读取文件")]
fn bad_input_names_the_path_in_chinese(#[case] what: &str, #[case] words: &str) {
    let dir = tempfile::tempdir().unwrap();
    let folder = EvidenceFolder::at(dir.path().join("evidence"));
    let path = match what {
        "missing" => dir.path().join("没有这个文件.jpg"),
        "directory" => {
            let d = dir.path().join("一个文件夹");
            std::fs::create_dir(&d).unwrap();
            d
        }
        _ => write(dir.path(), "file.txt", b"x").join("child.jpg"),
    };
    let error = ingest(&folder, &path).unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains(words),
        "{what}: the message says what is wrong: {text}"
    );
    assert!(
        text.contains(&path.display().to_string()),
        "{what}: names the path: {text}"
    );
    assert!(
        files_under(folder.root()).is_empty(),
        "{what}: nothing is written"
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_names_the_path() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let folder = EvidenceFolder::at(dir.path().join("evidence"));
    let path = write(dir.path(), "locked.jpg", b"secret");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&path).is_ok() {
        // Running as root: permissions do not stop reading, so there is nothing to test.
        return;
    }
    let error = ingest(&folder, &path).unwrap_err();
    assert!(
        matches!(error, EvidenceError::Unreadable { .. })
            && error.to_string().contains("locked.jpg"),
        "{error}"
    );
}

#[test]
fn the_package_holds_every_proof_and_an_escaped_index() {
    let dir = tempfile::tempdir().unwrap();
    let folder = EvidenceFolder::at(dir.path().join("evidence"));
    let recorded = parse_china_time("2026-03-02 10:20:00").unwrap();
    let video = ingest(
        &folder,
        &write(
            dir.path(),
            "开箱<1>.mp4",
            &fixtures::mp4(b"isom", recorded.timestamp() as u64, 95_000, 1000),
        ),
    )
    .unwrap();
    let photo = ingest(
        &folder,
        &write(
            dir.path(),
            "买家照片.jpg",
            &fixtures::jpeg_with_exif("2026:03:01 18:00:00"),
        ),
    )
    .unwrap();
    let case = return_case();
    let proofs = vec![
        proof_from(&video, &case, Some("swapped_return.unboxing_video")),
        proof_from(&photo, &case, Some("quality_claim.buyer_media")),
    ];
    let deadline = parse_china_time("2026-03-03 23:00:00");
    let evidence = CaseEvidence::build(
        &Checklist::bundled().unwrap(),
        &case,
        &proofs,
        &UnboxingRules::default(),
        deadline,
        now(),
    );
    assert_eq!(
        (evidence.readiness.ready, evidence.readiness.required),
        (2, 2),
        "both required proofs of a quality return are there"
    );
    assert_eq!(
        evidence.readiness.summary,
        "已备 2 / 共 2 项必备材料，举证期还剩 14 小时"
    );
    assert!(
        evidence.unboxing[0].passed(),
        "a 95 s video 20 min after receipt passes: {:?}",
        evidence.unboxing[0]
    );
    let risks = appeal_risks().unwrap();
    let out = dir.path().join("out");
    let package = write_package(
        &folder,
        &PackageContents {
            case: &case,
            evidence: &evidence,
            risks: &risks,
        },
        &out,
        now(),
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(package.files, 2);
    assert!(
        package.path.exists(),
        "the zip is at {}",
        package.path.display()
    );
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        1,
        "no partial zip is left beside it"
    );

    let mut zip = zip::ZipArchive::new(std::fs::File::open(&package.path).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    assert!(
        names.contains(&INDEX_NAME.to_owned()),
        "index.html is in the zip: {names:?}"
    );
    assert!(
        names.contains(&"files/01-开箱_1_.mp4".to_owned()),
        "files keep safe names: {names:?}"
    );
    let mut stored = Vec::new();
    zip.by_name("files/02-买家照片.jpg")
        .unwrap()
        .read_to_end(&mut stored)
        .unwrap();
    assert_eq!(
        stored,
        std::fs::read(&photo.stored).unwrap(),
        "the zip holds the exact bytes"
    );
    let mut index = String::new();
    zip.by_name(INDEX_NAME)
        .unwrap()
        .read_to_string(&mut index)
        .unwrap();
    assert!(
        !index.contains("<script>"),
        "buyer markup must never reach the page"
    );
    assert!(
        index.contains("&lt;script&gt;alert(&#39;买家&#39;)&lt;/script&gt;"),
        "the nick is shown escaped"
    );
    assert!(
        index.contains("收到的 &amp; 不是我寄回的 &lt;b&gt;货&lt;/b&gt;"),
        "the buyer's note is escaped"
    );
    assert!(
        index.contains("客服&lt;小王&gt;"),
        "agent names are escaped too"
    );
    assert!(
        index.contains(&video.hash) && index.contains(&photo.hash),
        "each proof's hash is listed"
    );
    assert!(
        index.contains("2026-03-02 10:20:00"),
        "capture times are shown in China time"
    );
    assert!(
        index.contains("拆包视频") && index.contains("买家提供的照片或视频"),
        "each item is named"
    );
    assert!(
        index.contains(&risks[0].question),
        "the appeal-risk review is included"
    );
    assert!(index.contains("@media print"), "the page has print styles");
}

#[test]
fn a_changed_file_is_never_packaged() {
    let dir = tempfile::tempdir().unwrap();
    let folder = EvidenceFolder::at(dir.path().join("evidence"));
    let photo = ingest(
        &folder,
        &write(
            dir.path(),
            "p.jpg",
            &fixtures::jpeg_with_exif("2026:03:01 18:00:00"),
        ),
    )
    .unwrap();
    std::fs::write(&photo.stored, b"tampered").unwrap();
    let case = return_case();
    let proofs = vec![proof_from(&photo, &case, Some("quality_claim.buyer_media"))];
    let evidence = CaseEvidence::build(
        &Checklist::bundled().unwrap(),
        &case,
        &proofs,
        &UnboxingRules::default(),
        None,
        now(),
    );
    let out = dir.path().join("out");
    let error = write_package(
        &folder,
        &PackageContents {
            case: &case,
            evidence: &evidence,
            risks: &[],
        },
        &out,
        now(),
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap_err();
    assert!(matches!(error, EvidenceError::Tampered { .. }), "{error}");
    assert!(
        error.to_string().contains("重新添加原文件"),
        "the error tells the seller how to repair the file: {error}"
    );
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        0,
        "no zip, not even a partial one"
    );
}

/// How a stored copy gets damaged: cut short by a full disk or an interrupted sync, or one
/// byte flipped by a failing disk, which keeps the size.
#[rstest]
#[case::truncated("truncated")]
#[case::flipped_byte("flipped_byte")]
fn a_damaged_copy_is_repaired_by_attaching_the_original(#[case] damage: &str) {
    let dir = tempfile::tempdir().unwrap();
    let folder = EvidenceFolder::at(dir.path().join("evidence"));
    let original: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let file = write(dir.path(), "签收底单.pdf", &original);
    let first = ingest(&folder, &file).unwrap();
    let mut damaged = original.clone();
    match damage {
        "truncated" => damaged.truncate(1000),
        _ => damaged[150_000] ^= 0x01,
    }
    std::fs::write(&first.stored, &damaged).unwrap();

    let again = ingest(&folder, &file).unwrap();
    assert_eq!(again.hash, first.hash, "the same content has the same hash");
    assert!(
        again.repaired && !again.already_stored,
        "a damaged stored copy ({damage}) must be reported as repaired, not as already stored"
    );
    assert_eq!(
        std::fs::read(&first.stored).unwrap(),
        original,
        "after the repair the stored copy ({damage}) holds the original bytes"
    );
    assert!(
        files_under(&dir.path().join("evidence").join(".incoming")).is_empty(),
        "the repair leaves nothing in .incoming"
    );

    let third = ingest(&folder, &file).unwrap();
    assert!(
        third.already_stored && !third.repaired,
        "an intact stored copy is kept and reported as already stored"
    );
}

/// Sets a file's modification time, as if it had last been written at `at`.
fn written_at(path: &Path, at: std::time::SystemTime) {
    std::fs::File::options()
        .append(true)
        .open(path)
        .unwrap()
        .set_modified(at)
        .unwrap();
}

#[test]
fn the_sweep_removes_only_incoming_leftovers_older_than_the_grace_period() {
    use afterdesk_evidence::CLEAN_GRACE;
    use std::time::{Duration, SystemTime};
    let dir = tempfile::tempdir().unwrap();
    let folder = EvidenceFolder::at(dir.path().join("evidence"));
    let incoming = folder.root().join(".incoming");
    std::fs::create_dir_all(&incoming).unwrap();
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let old = write(&incoming, "1-0.partial", b"left by a crash");
    let fresh = write(&incoming, "2-0.partial", b"an attach in progress");
    written_at(&old, t - CLEAN_GRACE - Duration::from_secs(60));
    written_at(&fresh, t - Duration::from_secs(60));

    let dry = folder.sweep_incoming(t, true).unwrap();
    assert_eq!(
        (dry.removed.len(), dry.kept_recent),
        (1, 1),
        "a dry run lists the old leftover and counts the fresh one as kept"
    );
    assert!(old.is_file(), "a dry run removes nothing");

    let swept = folder.sweep_incoming(t, false).unwrap();
    assert_eq!(
        swept
            .removed
            .iter()
            .map(|f| f.path.clone())
            .collect::<Vec<_>>(),
        vec![old.clone()],
        "only the leftover older than the grace period goes"
    );
    assert!(!old.exists(), "the old leftover is removed");
    assert!(
        fresh.is_file(),
        "a fresh partial copy may belong to an attach in another process and survives"
    );
    assert_eq!(
        swept.bytes(),
        15,
        "the freed bytes are the old leftover's size"
    );
}

#[test]
fn only_unreferenced_content_older_than_the_grace_period_is_removed() {
    use afterdesk_evidence::CLEAN_GRACE;
    use std::collections::BTreeSet;
    use std::time::{Duration, SystemTime};
    let dir = tempfile::tempdir().unwrap();
    let folder = EvidenceFolder::at(dir.path().join("evidence"));
    let kept = ingest(
        &folder,
        &write(dir.path(), "kept.pdf", b"named by a record"),
    )
    .unwrap();
    let orphan = ingest(
        &folder,
        &write(dir.path(), "orphan.pdf", b"named by nothing"),
    )
    .unwrap();
    let young = ingest(&folder, &write(dir.path(), "young.pdf", b"just attached")).unwrap();
    let foreign = write(folder.root(), "说明.txt", b"a user's own note");
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let long_ago = t - CLEAN_GRACE - Duration::from_secs(60);
    written_at(&kept.stored, long_ago);
    written_at(&orphan.stored, long_ago);
    written_at(&young.stored, t - Duration::from_secs(60));
    let referenced = BTreeSet::from([kept.hash.clone()]);

    let cleaning = folder.remove_unreferenced(&referenced, t, false).unwrap();
    assert_eq!(
        cleaning
            .removed
            .iter()
            .map(|f| f.hash.clone())
            .collect::<Vec<_>>(),
        vec![Some(orphan.hash.clone())],
        "only the old file no record names goes"
    );
    assert!(!orphan.stored.exists(), "the unreferenced file is removed");
    assert!(kept.stored.is_file(), "a referenced file always survives");
    assert!(
        young.stored.is_file(),
        "an unreferenced file younger than the grace period survives (its record may be on the way)"
    );
    assert_eq!(cleaning.kept_recent, 1, "the young file is counted as kept");
    assert!(
        foreign.is_file(),
        "a file not named by a hash is never touched"
    );
}

#[test]
fn attaching_stored_content_again_renews_its_grace_period() {
    use afterdesk_evidence::CLEAN_GRACE;
    use std::collections::BTreeSet;
    use std::time::{Duration, SystemTime};
    let dir = tempfile::tempdir().unwrap();
    let folder = EvidenceFolder::at(dir.path().join("evidence"));
    let file = write(
        dir.path(),
        "orphan.pdf",
        b"left by a crash before its record",
    );
    let first = ingest(&folder, &file).unwrap();
    written_at(&first.stored, SystemTime::now() - CLEAN_GRACE * 2);
    let again = ingest(&folder, &file).unwrap();
    assert!(again.already_stored, "the intact copy is kept");
    let cleaning = folder
        .remove_unreferenced(
            &BTreeSet::new(),
            SystemTime::now() + Duration::from_secs(1),
            false,
        )
        .unwrap();
    assert!(
        cleaning.removed.is_empty() && first.stored.is_file(),
        "content just attached again must not be removed before its record is written"
    );
}

#[test]
fn verify_finds_damaged_and_missing_files() {
    use std::collections::BTreeSet;
    let dir = tempfile::tempdir().unwrap();
    let folder = EvidenceFolder::at(dir.path().join("evidence"));
    let good = ingest(&folder, &write(dir.path(), "good.pdf", b"intact content")).unwrap();
    let bad = ingest(&folder, &write(dir.path(), "bad.pdf", b"content to damage")).unwrap();
    std::fs::write(&bad.stored, b"content to damagE").unwrap();
    let absent = "ab".repeat(32);
    let referenced = BTreeSet::from([good.hash.clone(), bad.hash.clone(), absent.clone()]);
    let mut last = None;
    let report = folder
        .verify(
            &referenced,
            &mut |p| last = Some(p),
            &AtomicBool::new(false),
        )
        .unwrap();
    assert_eq!(report.checked, 2, "every stored file is checked");
    assert_eq!(
        report
            .damaged
            .iter()
            .map(|f| f.hash.clone())
            .collect::<Vec<_>>(),
        vec![bad.hash.clone()],
        "the file whose bytes no longer match its name is damaged"
    );
    assert_eq!(
        report.missing,
        vec![absent],
        "a named hash with no file is missing"
    );
    assert_eq!(
        last,
        Some(CopyProgress {
            done: 31,
            total: 31
        }),
        "progress counts the bytes of all files"
    );
}
