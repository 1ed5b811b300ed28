//! `litmus guest`: bad input is refused on the host before anything is
//! downloaded or booted; on x86_64 hosts a real 686-pae guest boots under
//! TCG, runs one short test and its CSV rows reach the host.

use std::process::{Command, Output};

fn litmus_guest(args: &[&str], path: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_litmus"));
    command.arg("guest").args(args);
    if let Some(path) = path {
        command.env("PATH", path);
    }
    command.output().expect("run litmus guest")
}

fn refused(output: &Output, says: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(says), "{stderr}");
}

#[test]
fn bad_input_is_refused_before_anything_is_fetched() {
    refused(
        &litmus_guest(&["NO-SUCH-TEST"], None),
        "unknown test 'NO-SUCH-TEST'",
    );
    refused(
        &litmus_guest(&["SB", "--cores", "0,2"], None),
        "core 2 does not exist in a guest with 2 vCPUs",
    );
    refused(&litmus_guest(&["SB", "--accel", "xen"], None), "xen");
    refused(&litmus_guest(&["SB", "--cpus", "0"], None), "--cpus");
    let dir = std::env::temp_dir().join(format!("pte-litmus-guest-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let other = dir.join("other.csv");
    std::fs::write(&other, "a,b,c\n1,2,3\n").unwrap();
    refused(
        &litmus_guest(&["SB", "--csv", other.to_str().unwrap()], None),
        "another header",
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_qemu_is_one_line_not_a_hang() {
    refused(
        &litmus_guest(&["SB"], Some("/nonexistent")),
        "qemu-system-i386 is not installed",
    );
}

/// Status 2, and the last line on stderr (after the progress lines) says why.
fn failed_after_starting(output: &Output, says: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let last = stderr.lines().last().unwrap_or("");
    assert!(
        last.starts_with("litmus: guest: ") && last.contains(says),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A cache that already holds a (fake) guest image, so nothing is
/// downloaded, and a directory whose `qemu-system-i386` is `script`.
struct FakeGuest {
    dir: std::path::PathBuf,
}

impl FakeGuest {
    fn new(name: &str, script: &str) -> FakeGuest {
        use std::os::unix::fs::PermissionsExt;
        let dir =
            std::env::temp_dir().join(format!("pte-litmus-fake-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let release = "6.1.0-0-686-pae";
        let image = dir.join("cache/debian-i386").join(release);
        std::fs::create_dir_all(image.join("modules")).unwrap();
        std::fs::write(dir.join("cache/debian-i386/release"), release).unwrap();
        for file in ["vmlinuz", "busybox"] {
            std::fs::write(image.join(file), b"x").unwrap();
        }
        for module in [
            "virtio",
            "virtio_ring",
            "virtio_pci_modern_dev",
            "virtio_pci_legacy_dev",
            "virtio_pci",
            "netfs",
            "fscache",
            "9pnet",
            "9pnet_virtio",
            "9p",
        ] {
            std::fs::write(image.join(format!("modules/{module}.ko")), b"x").unwrap();
        }
        let order = "virtio_ring\nvirtio\nvirtio_pci_modern_dev\nvirtio_pci_legacy_dev\nvirtio_pci\nnetfs\nfscache\n9pnet\n9pnet_virtio\n9p\n";
        std::fs::write(image.join("modules/load-order"), order).unwrap();
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        let qemu = dir.join("bin/qemu-system-i386");
        std::fs::write(&qemu, script).unwrap();
        std::fs::set_permissions(&qemu, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(dir.join("litmus"), b"\x7fELF").unwrap();
        FakeGuest { dir }
    }

    /// `litmus guest SB ARGS...` against the fake; its output, and the work
    /// directories left in the cache.
    fn run(&self, args: &[&str]) -> (Output, Vec<String>) {
        let cache = self.dir.join("cache");
        let binary = self.dir.join("litmus");
        let mut all = vec![
            "SB",
            "--accel",
            "tcg",
            "--cache",
            cache.to_str().unwrap(),
            "--binary",
            binary.to_str().unwrap(),
        ];
        all.extend(args);
        let path = format!("{}:/usr/bin:/bin", self.dir.join("bin").display());
        let output = litmus_guest(&all, Some(&path));
        let left = std::fs::read_dir(&cache)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("run-"))
            .collect();
        (output, left)
    }
}

impl Drop for FakeGuest {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn a_failed_guest_cleans_up_as_a_finished_one_does() {
    let fake = FakeGuest::new(
        "fails",
        "#!/bin/sh\necho 'fake qemu: cannot boot' >&2\nexit 1\n",
    );
    let (output, left) = fake.run(&[]);
    failed_after_starting(&output, "before it finished");
    assert!(left.is_empty(), "work directories left behind: {left:?}");
}

#[test]
fn the_timeout_bounds_the_whole_boot_as_its_help_says() {
    // A QEMU that never prints: with --timeout 2 it is stopped after about
    // two seconds (the boot had a separate fixed two minutes before).
    let fake = FakeGuest::new("hangs", "#!/bin/sh\nexec sleep 120\n");
    let started = std::time::Instant::now();
    let (output, left) = fake.run(&["--timeout", "2"]);
    let took = started.elapsed();
    failed_after_starting(&output, "within 2 s of QEMU's start");
    assert!(took < std::time::Duration::from_secs(30), "took {took:?}");
    assert!(left.is_empty(), "work directories left behind: {left:?}");
    let help = Command::new(env!("CARGO_BIN_EXE_litmus"))
        .args(["guest", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("from QEMU's start to the guest's poweroff"),
        "{help}"
    );
}

/// Boots Debian's 686-pae kernel under TCG (downloading it on first use)
/// and runs PTE-ABA with two strategies in it.
#[cfg(target_arch = "x86_64")]
#[test]
fn the_guest_boots_runs_and_its_rows_reach_the_host() {
    let dir = std::env::temp_dir().join(format!("pte-litmus-guest-boot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("guest.csv");
    let output = litmus_guest(
        &[
            "PTE-ABA",
            "--strategy",
            "lowhigh,cmpxchg8b",
            "--iterations",
            "200000",
            "--accel",
            "tcg",
            "--timeout",
            "600",
            "--csv",
            csv.to_str().unwrap(),
        ],
        None,
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(2)
        && let Some(why) = stderr
            .lines()
            .find(|l| l.contains(pte_litmus::guest::image::UNOBTAINABLE))
    {
        // Skipped, and said so past the test harness's capture: no network
        // to Debian's archive is not a defect of the guest.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED the_guest_boots_runs_and_its_rows_reach_the_host: {why}"
        );
        return;
    }
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    // The guest's own report came through its console: its answer table,
    // one line per strategy it ran.
    assert!(stdout.contains("Which reads of a 64-bit PTE"), "{stdout}");
    for strategy in ["lowhigh", "cmpxchg8b"] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&format!("{strategy} "))),
            "{stdout}"
        );
    }
    assert!(
        stdout.contains("a litmus guest under tcg with 2 vCPUs"),
        "{stdout}"
    );

    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    // intact/torn/absent for each of the two strategies at each of the
    // default windows (none, and two writer turns).
    assert_eq!(rows.len(), 12, "{rows:?}");
    for row in &rows {
        assert!(row[column("kernel")].ends_with("-686-pae"), "{row:?}");
        assert_eq!(&row[column("pointer_width")], "32");
        assert_eq!(&row[column("target")], "i686-unknown-linux-musl");
        assert_eq!(&row[column("accel")], "tcg");
        assert_eq!(&row[column("vcpus")], "2");
        assert_eq!(&row[column("iterations")], "200000");
        // The guest kernel's own refault, measured in the guest.
        assert!(row[column("refault_ns")].parse::<f64>().unwrap() > 0.0);
    }
    // The forbidden outcome of cmpxchg8b was judged in the guest.
    let cmpxchg8b_torn = rows
        .iter()
        .find(|r| &r[column("strategy")] == "cmpxchg8b" && &r[column("outcome")] == "torn")
        .expect("a torn row for cmpxchg8b");
    assert_eq!(&cmpxchg8b_torn[column("count")], "0");
    std::fs::remove_dir_all(&dir).unwrap();
}
