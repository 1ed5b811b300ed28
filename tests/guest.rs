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
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    // The guest's own report came through its console.
    assert!(stdout.contains("=== PTE-ABA [lowhigh]"), "{stdout}");
    assert!(
        stdout.contains("a litmus guest under tcg with 2 vCPUs"),
        "{stdout}"
    );

    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    // intact/torn/absent for each of the two strategies.
    assert_eq!(rows.len(), 6, "{rows:?}");
    for row in &rows {
        assert!(row[column("kernel")].ends_with("-686-pae"), "{row:?}");
        assert_eq!(&row[column("pointer_width")], "32");
        assert_eq!(&row[column("target")], "i686-unknown-linux-musl");
        assert_eq!(&row[column("accel")], "tcg");
        assert_eq!(&row[column("vcpus")], "2");
        assert_eq!(&row[column("iterations")], "200000");
    }
    // The forbidden outcome of cmpxchg8b was judged in the guest.
    let cmpxchg8b_torn = rows
        .iter()
        .find(|r| &r[column("strategy")] == "cmpxchg8b" && &r[column("outcome")] == "torn")
        .expect("a torn row for cmpxchg8b");
    assert_eq!(&cmpxchg8b_torn[column("count")], "0");
    std::fs::remove_dir_all(&dir).unwrap();
}
