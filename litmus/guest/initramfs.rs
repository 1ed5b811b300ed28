//! What the guest boots into: the static musl `litmus` of this tree, an
//! `/init` script that runs it, and the newc cpio archive holding both with
//! busybox and the 9p modules.

use super::image::{GuestImage, quietly};
use super::qemu::{MARK_EXIT, MARK_FAIL, MARK_PROBE, MARK_START};
use crate::report::machine::{ACCEL_VAR, VCPUS_VAR};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The guest's musl build of `litmus`.
const GUEST_TARGET: &str = "i686-unknown-linux-musl";

/// The static musl `litmus` of this source tree, built in its own target
/// directory (so a `cargo test` or `cargo run` holding the main one's lock
/// does not block it).
pub fn build_guest_litmus() -> Result<PathBuf, String> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let installed = quietly(
        "rustup target list --installed",
        Command::new("rustup").args(["target", "list", "--installed"]),
    )
    .unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == GUEST_TARGET) {
        eprintln!("litmus: guest: rustup target add {GUEST_TARGET}");
        quietly(
            "rustup target add",
            Command::new("rustup").args(["target", "add", GUEST_TARGET]),
        )?;
    }
    let target_dir = manifest.join("target/guest");
    eprintln!("litmus: guest: building the static {GUEST_TARGET} litmus");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    quietly(
        "cargo build (guest litmus)",
        Command::new(cargo)
            .args([
                "build",
                "--release",
                "--bin",
                "litmus",
                "--target",
                GUEST_TARGET,
            ])
            .arg("--manifest-path")
            .arg(manifest.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target_dir)
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_BUILD_TARGET"),
    )?;
    Ok(target_dir.join(GUEST_TARGET).join("release/litmus"))
}

/// `text` as one word of a POSIX shell command.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The guest's `/init`: mount, insert the 9p modules (`modules`, in load
/// order), run `litmus`, report its exit status on the console, power off.
pub fn init_script(run_argv: &[String], modules: &[String]) -> String {
    let argv: Vec<String> = run_argv.iter().map(|a| shell_quote(a)).collect();
    format!(
        r#"#!/bin/busybox sh
# Written by `litmus guest`. The kernel hands the command line's NAME=value
# words ({ACCEL_VAR}, {VCPUS_VAR}, PTE_LITMUS_PROBE) to this script's environment.
/bin/busybox --install -s /bin
export PATH=/bin
fail() {{ echo "{MARK_FAIL}$*"; poweroff -f; }}
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
if [ -n "$PTE_LITMUS_PROBE" ]; then echo "{MARK_PROBE}"; poweroff -f; fi
for m in {modules}; do insmod /lib/pte-litmus/$m.ko || fail "insmod $m"; done
mount -t 9p -o trans=virtio,version=9p2000.L results /results || fail "mount the 9p share"
echo "{MARK_START} $(uname -r)"
# Through a pipe: the console is a terminal, and a progress bar on a serial
# line is noise.
( /litmus run {argv} --csv /results/guest.csv; echo $? > /tmp/status ) 2>&1 | cat
echo "{MARK_EXIT}$(cat /tmp/status)"
sync
poweroff -f
"#,
        modules = modules.join(" "),
        argv = argv.join(" "),
    )
}

/// A newc cpio archive (what the kernel unpacks as its initramfs).
pub fn write_initramfs(
    path: &Path,
    image: &GuestImage,
    litmus: &Path,
    init: &str,
) -> Result<(), String> {
    let read = |p: &Path| fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    let mut entries: Vec<(String, u32, Vec<u8>)> = Vec::new();
    for dir in [
        "bin",
        "dev",
        "proc",
        "sys",
        "tmp",
        "results",
        "lib",
        "lib/pte-litmus",
    ] {
        entries.push((dir.into(), 0o040755, Vec::new()));
    }
    entries.push(("init".into(), 0o100755, init.as_bytes().to_vec()));
    entries.push(("bin/busybox".into(), 0o100755, read(&image.busybox)?));
    entries.push(("litmus".into(), 0o100755, read(litmus)?));
    for module in &image.modules {
        let name = module.file_name().unwrap_or_default().to_string_lossy();
        entries.push((format!("lib/pte-litmus/{name}"), 0o100644, read(module)?));
    }
    let file =
        fs::File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    for (ino, (name, mode, data)) in entries.into_iter().enumerate() {
        let mut writer = cpio::NewcBuilder::new(&name)
            .ino(ino as u32 + 1)
            .mode(mode)
            .nlink(if mode & 0o040000 != 0 { 2 } else { 1 })
            .write(out, data.len() as u32);
        writer
            .write_all(&data)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        out = writer
            .finish()
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    cpio::newc::trailer(out)
        .and_then(|mut out| out.flush())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::super::image::image_in;
    use super::*;

    #[test]
    fn words_are_quoted_for_the_shell() {
        assert_eq!(shell_quote("lowhigh,cmpxchg8b"), "'lowhigh,cmpxchg8b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn init_runs_litmus_with_the_arguments_and_reports_its_status() {
        let modules = ["virtio_ring".to_string(), "virtio".into(), "9pnet".into()];
        let init = init_script(
            &["PTE-ABA".into(), "--duration".into(), "5".into()],
            &modules,
        );
        assert!(init.starts_with("#!/bin/busybox sh\n"));
        assert!(init.contains("/litmus run 'PTE-ABA' '--duration' '5' --csv /results/guest.csv"));
        assert!(init.contains(MARK_EXIT) && init.contains(MARK_START) && init.contains(MARK_PROBE));
        // Every module is inserted, in the order given (the load order).
        assert!(
            init.contains("for m in virtio_ring virtio 9pnet; do insmod"),
            "{init}"
        );
    }

    #[test]
    fn the_initramfs_is_a_newc_archive_with_init_litmus_and_modules() {
        let dir = std::env::temp_dir().join(format!("pte-litmus-initramfs-{}", std::process::id()));
        let root = dir.join("image");
        let modules = root.join("6.1.0-0-686-pae/modules");
        fs::create_dir_all(&modules).unwrap();
        fs::write(
            modules.join(super::super::image::LOAD_ORDER),
            "virtio_ring\n9p\n",
        )
        .unwrap();
        let image = image_in(&root, "6.1.0-0-686-pae");
        assert_eq!(image.module_names(), ["virtio_ring", "9p"]);
        for file in image.modules.iter().chain([&image.busybox, &image.vmlinuz]) {
            fs::create_dir_all(file.parent().unwrap()).unwrap();
            fs::write(file, b"x").unwrap();
        }
        let litmus = dir.join("litmus");
        fs::write(&litmus, b"\x7fELF").unwrap();
        let archive = dir.join("initramfs.cpio");
        write_initramfs(&archive, &image, &litmus, "#!/bin/busybox sh\n").unwrap();
        let mut names = Vec::new();
        let mut input = fs::File::open(&archive).unwrap();
        loop {
            let reader = cpio::NewcReader::new(input).unwrap();
            if reader.entry().is_trailer() {
                break;
            }
            names.push((reader.entry().name().to_string(), reader.entry().mode()));
            input = reader.finish().unwrap();
        }
        assert!(names.contains(&("init".into(), 0o100755)), "{names:?}");
        assert!(names.contains(&("litmus".into(), 0o100755)));
        assert!(names.contains(&("lib/pte-litmus/9p.ko".into(), 0o100644)));
        assert!(names.contains(&("results".into(), 0o040755)));
        fs::remove_dir_all(&dir).unwrap();
    }
}
