//! `litmus guest`: the suite inside a 32-bit PAE Linux guest.
//!
//! The seed's race is about a 32-bit PAE kernel. This boots Debian's i386
//! `686-pae` kernel under QEMU with an initramfs holding busybox, the static
//! `i686-unknown-linux-musl` `litmus` and the 9p modules; the guest's `/init`
//! runs `litmus run` with the caller's arguments, writing its CSV through a
//! 9p share row by row, so a crash or Ctrl-C keeps every finished run; the
//! host then appends the rows to `--csv`. The rows carry the guest's kernel,
//! `pointer_width` 32, the accelerator and the vCPU count.
//!
//! Downloads (the kernel and busybox `.deb`s, through a private apt state
//! that leaves the system's apt alone) are cached, so later runs are offline.
//! Every QEMU run has a timeout.

use crate::cli::RunArgs;
use crate::machine::{ACCEL_VAR, VCPUS_VAR};
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What the guest's `/init` prints on its console, for the host to follow.
const MARK_PROBE: &str = "pte-litmus-guest: probe ok";
const MARK_START: &str = "pte-litmus-guest: start";
const MARK_EXIT: &str = "pte-litmus-guest: exit ";
const MARK_FAIL: &str = "pte-litmus-guest: failed: ";

/// The 9p stack of Debian's 6.1 `686-pae` kernel, in insertion order (the
/// package has no `modules.dep`, and busybox's `insmod` resolves nothing).
const MODULES: [&str; 10] = [
    "drivers/virtio/virtio",
    "drivers/virtio/virtio_ring",
    "drivers/virtio/virtio_pci_modern_dev",
    "drivers/virtio/virtio_pci_legacy_dev",
    "drivers/virtio/virtio_pci",
    "fs/netfs/netfs",
    "fs/fscache/fscache",
    "net/9p/9pnet",
    "net/9p/9pnet_virtio",
    "fs/9p/9p",
];

/// A module's file name without `.ko`: the last part of its [`MODULES`] path.
fn module_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// What to say when QEMU is missing.
const NO_QEMU: &str = "qemu-system-i386 is not installed (Debian: apt-get install qemu-system-x86)";

/// The guest's musl build of `litmus`.
const GUEST_TARGET: &str = "i686-unknown-linux-musl";

/// How long a KVM probe boot may take before TCG is used instead.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Accel {
    /// KVM if a short probe boot works, else TCG.
    Auto,
    Kvm,
    /// QEMU's software emulation (multi-threaded: one host thread per vCPU).
    Tcg,
}

#[derive(clap::Args, Debug)]
pub struct GuestArgs {
    /// Arguments for `litmus run` inside the guest (its `--csv` is the host's file).
    #[command(flatten)]
    pub run: RunArgs,
    /// The accelerator: `auto` probes KVM and falls back to TCG.
    #[arg(long, value_enum, default_value = "auto")]
    pub accel: Accel,
    /// vCPUs of the guest.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub cpus: u32,
    /// Guest memory in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(128..=65536))]
    pub memory: u32,
    /// Seconds the guest may take from boot to poweroff before it is killed
    /// [default: 120 for the boot plus twice the run's budget].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: Option<u64>,
    /// A static i686 `litmus` to run in the guest instead of building one.
    #[arg(long, value_name = "PATH")]
    pub binary: Option<PathBuf>,
    /// Where downloads are cached [default: $PTE_LITMUS_CACHE, else
    /// $XDG_CACHE_HOME/pte-litmus, else ~/.cache/pte-litmus].
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
}

/// The guest's kernel and userland, as cached on the host.
pub struct GuestImage {
    /// `uname -r` of the kernel, e.g. `6.1.0-50-686-pae`.
    pub release: String,
    pub vmlinuz: PathBuf,
    /// The 9p modules, in [`MODULES`] order.
    pub modules: Vec<PathBuf>,
    pub busybox: PathBuf,
}

/// How the guest ended.
pub enum Ending {
    /// `/init` reported the exit status of `litmus run`.
    Exited(i32),
    /// The host's Ctrl-C stopped it.
    Interrupted,
}

pub fn default_cache() -> PathBuf {
    if let Some(dir) = std::env::var_os("PTE_LITMUS_CACHE") {
        return dir.into();
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("pte-litmus");
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| ".".into());
    PathBuf::from(home).join(".cache/pte-litmus")
}

/// Runs a command to completion; its output is shown only if it fails.
fn quietly(what: &str, command: &mut Command) -> Result<String, String> {
    let output = command.output().map_err(|e| {
        let program = command.get_program().to_string_lossy().into_owned();
        if e.kind() == std::io::ErrorKind::NotFound {
            format!("{what}: '{program}' is not installed")
        } else {
            format!("{what}: cannot start '{program}': {e}")
        }
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| l.starts_with("E:") || l.starts_with("error"))
            .or_else(|| stderr.lines().rev().find(|l| !l.trim().is_empty()))
            .unwrap_or("no message");
        return Err(format!(
            "{what} failed ({}): {}",
            output.status,
            last.trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

// --------------------------------------------------------------- download ---

/// The kernel and busybox, from the cache or downloaded into it.
pub fn fetch_image(cache: &Path) -> Result<GuestImage, String> {
    let root = cache.join("debian-i386");
    let cached = |release: &str| {
        let image = image_in(&root, release);
        let complete = image.vmlinuz.is_file()
            && image.busybox.is_file()
            && image.modules.iter().all(|m| m.is_file());
        complete.then_some(image)
    };
    if let Ok(release) = fs::read_to_string(root.join("release"))
        && let Some(image) = cached(release.trim())
    {
        return Ok(image);
    }
    let apt = root.join("apt");
    for dir in [
        apt.join("lists/partial"),
        apt.join("cache"),
        root.join("debs"),
    ] {
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    // A private apt state with only i386 indexes: the system's apt (and its
    // architectures) stay untouched.
    let apt_options = [
        "-q".to_string(),
        format!("-oDir::State::Lists={}", apt.join("lists").display()),
        format!("-oDir::Cache={}", apt.join("cache").display()),
        "-oAPT::Architectures::=i386".to_string(),
        "-oAPT::Sandbox::User=root".to_string(),
    ];
    eprintln!(
        "litmus: guest: downloading the Debian i386 package lists (once; cached in {})",
        root.display()
    );
    // An index that fails (a mirror mid-sync) is not fatal while the
    // packages we need still resolve; say what failed if they do not.
    let update = quietly(
        "apt-get update",
        Command::new("apt-get").args(&apt_options).arg("update"),
    );
    if let Err(e) = &update
        && e.contains("is not installed")
    {
        return Err(format!(
            "guest needs Debian's apt to download its kernel: {e}"
        ));
    }
    let depends = quietly(
        "apt-cache depends linux-image-686-pae:i386",
        Command::new("apt-cache")
            .args(&apt_options)
            .args(["depends", "linux-image-686-pae:i386"]),
    )
    .map_err(|e| match &update {
        Err(u) => format!("{e} (after {u})"),
        Ok(_) => e,
    })?;
    // "  Depends: linux-image-6.1.0-50-686-pae:i386": the metapackage names
    // the current kernel package, so no ABI number is hard-coded here.
    let package = depends
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Depends: "))
        .map(|p| p.trim_end_matches(":i386"))
        .find(|p| p.starts_with("linux-image-") && p.ends_with("-686-pae"))
        .ok_or_else(|| {
            "linux-image-686-pae:i386 names no linux-image-*-686-pae package".to_string()
        })?
        .to_string();
    let release = package.trim_start_matches("linux-image-").to_string();
    eprintln!("litmus: guest: downloading {package} and busybox-static (i386)");
    let debs = root.join("debs");
    quietly(
        "apt-get download",
        Command::new("apt-get")
            .args(&apt_options)
            .args([
                "download",
                &format!("{package}:i386"),
                "busybox-static:i386",
            ])
            .current_dir(&debs),
    )?;
    let unpacked = root.join("unpacked");
    let _ = fs::remove_dir_all(&unpacked);
    for deb in fs::read_dir(&debs).map_err(|e| format!("cannot read {}: {e}", debs.display()))? {
        let deb = deb.map_err(|e| e.to_string())?.path();
        let name = deb.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with(&format!("{package}_")) || name.starts_with("busybox-static_") {
            quietly(
                &format!("dpkg-deb -x {name}"),
                Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&unpacked),
            )?;
        }
    }
    let image = image_in(&root, &release);
    let copy = |from: PathBuf, to: &Path| -> Result<(), String> {
        fs::create_dir_all(to.parent().expect("a file in a directory"))
            .and_then(|_| fs::copy(&from, to).map(|_| ()))
            .map_err(|e| format!("the packages lack {}: {e}", from.display()))
    };
    copy(
        unpacked.join(format!("boot/vmlinuz-{release}")),
        &image.vmlinuz,
    )?;
    copy(unpacked.join("bin/busybox"), &image.busybox)?;
    for (module, to) in MODULES.iter().zip(&image.modules) {
        copy(
            unpacked.join(format!("lib/modules/{release}/kernel/{module}.ko")),
            to,
        )?;
    }
    let _ = fs::remove_dir_all(&unpacked);
    fs::write(root.join("release"), &release)
        .map_err(|e| format!("cannot write {}: {e}", root.join("release").display()))?;
    Ok(image)
}

fn image_in(root: &Path, release: &str) -> GuestImage {
    let dir = root.join(release);
    GuestImage {
        release: release.to_string(),
        vmlinuz: dir.join("vmlinuz"),
        modules: MODULES
            .iter()
            .map(|m| dir.join("modules").join(format!("{}.ko", module_name(m))))
            .collect(),
        busybox: dir.join("busybox"),
    }
}

// ------------------------------------------------------------------ build ---

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

// -------------------------------------------------------------- initramfs ---

/// `text` as one word of a POSIX shell command.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The guest's `/init`: mount, insert the 9p modules, run `litmus`, report
/// its exit status on the console, power off.
pub fn init_script(run_argv: &[String]) -> String {
    let modules: Vec<&str> = MODULES.iter().map(|m| module_name(m)).collect();
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

// ------------------------------------------------------------------- boot ---

/// One boot of the guest.
pub struct Boot<'a> {
    pub image: &'a GuestImage,
    pub initramfs: &'a Path,
    /// The directory the guest mounts as `/results`.
    pub share: &'a Path,
    pub accel: Accel,
    pub cpus: u32,
    pub memory: u32,
    pub probe: bool,
    /// Everything the guest printed, for when something goes wrong.
    pub console_log: &'a Path,
}

/// What the console reader tells the waiting thread.
enum Event {
    Line(String),
    Closed,
}

impl Boot<'_> {
    fn command(&self) -> Command {
        // QEMU's -accel and -cpu, and the name the CSV's `accel` column gets.
        let (accel, cpu, accel_name) = match self.accel {
            Accel::Kvm => ("kvm", "host", "kvm"),
            Accel::Tcg | Accel::Auto => ("tcg,thread=multi", "max", "tcg"),
        };
        let mut append = format!(
            "console=ttyS0 quiet panic=-1 {ACCEL_VAR}={accel_name} {VCPUS_VAR}={}",
            self.cpus
        );
        if self.probe {
            append.push_str(" PTE_LITMUS_PROBE=1");
        }
        let mut command = Command::new("qemu-system-i386");
        command
            .args(["-accel", accel, "-cpu", cpu])
            .args([
                "-smp",
                &self.cpus.to_string(),
                "-m",
                &self.memory.to_string(),
            ])
            .args([
                "-nodefaults",
                "-no-reboot",
                "-display",
                "none",
                "-monitor",
                "none",
            ])
            .args(["-serial", "stdio"])
            .arg("-kernel")
            .arg(&self.image.vmlinuz)
            .arg("-initrd")
            .arg(self.initramfs)
            .args(["-append", &append])
            .arg("-virtfs")
            .arg(format!(
                "local,path={},mount_tag=results,security_model=none,id=results",
                self.share.display()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Boots and follows the console: the run's output is shown (guest
    /// lines between the start and exit marks), everything is logged.
    /// `boot_timeout` bounds the time to the start mark (or the probe's
    /// mark), `run_timeout` the time from there to poweroff.
    pub fn run(
        &self,
        boot_timeout: Duration,
        run_timeout: Duration,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<Ending, String> {
        let mut child = self.command().spawn().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                NO_QEMU.to_string()
            } else {
                format!("cannot start qemu-system-i386: {e}")
            }
        })?;
        let (events, receiver) = mpsc::channel();
        let stdout = child.stdout.take().expect("piped");
        let log = fs::File::create(self.console_log)
            .map_err(|e| format!("cannot write {}: {e}", self.console_log.display()))?;
        std::thread::spawn(move || {
            let mut log = std::io::BufWriter::new(log);
            for line in BufReader::new(stdout).split(b'\n') {
                let Ok(line) = line else { break };
                let line = String::from_utf8_lossy(&line)
                    .trim_end_matches('\r')
                    .to_string();
                let _ = writeln!(log, "{line}");
                let _ = log.flush();
                if events.send(Event::Line(line)).is_err() {
                    break;
                }
            }
            let _ = events.send(Event::Closed);
        });
        let stderr = child.stderr.take().expect("piped");
        let stderr_reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut text);
            text
        });
        let ending = self.follow(&receiver, boot_timeout, run_timeout, interrupted);
        let stopped = stop(&mut child);
        let qemu_said = stderr_reader.join().unwrap_or_default();
        let qemu_said = qemu_said
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(|l| format!(" (qemu: {})", l.trim()))
            .unwrap_or_default();
        match ending {
            Err(e) => Err(format!(
                "{e}{qemu_said}; console in {}",
                self.console_log.display()
            )),
            Ok(None) => Err(format!(
                "the guest stopped ({stopped}) before it finished{qemu_said}; console in {}",
                self.console_log.display()
            )),
            Ok(Some(ending)) => Ok(ending),
        }
    }

    fn follow(
        &self,
        receiver: &mpsc::Receiver<Event>,
        boot_timeout: Duration,
        run_timeout: Duration,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<Option<Ending>, String> {
        let mut started = false;
        let mut deadline = Instant::now() + boot_timeout;
        loop {
            if interrupted() {
                return Ok(Some(Ending::Interrupted));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(if started {
                    format!(
                        "the guest run took longer than {} s: stopped",
                        run_timeout.as_secs()
                    )
                } else {
                    format!(
                        "the guest did not start litmus within {} s: stopped",
                        boot_timeout.as_secs()
                    )
                });
            }
            match receiver.recv_timeout(left.min(Duration::from_millis(200))) {
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Ok(Event::Closed) | Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(None),
                Ok(Event::Line(line)) => {
                    if self.probe && line.contains(MARK_PROBE) {
                        return Ok(Some(Ending::Exited(0)));
                    }
                    if let Some(why) = line.split(MARK_FAIL).nth(1) {
                        return Err(format!("in the guest: {why}"));
                    }
                    if let Some(status) = line.split(MARK_EXIT).nth(1) {
                        let status = status.trim().parse().map_err(|_| {
                            format!("the guest reported exit status '{}'", status.trim())
                        })?;
                        return Ok(Some(Ending::Exited(status)));
                    }
                    if !started && line.contains(MARK_START) {
                        started = true;
                        deadline = Instant::now() + run_timeout;
                    } else if started {
                        println!("{line}");
                    }
                }
            }
        }
    }
}

/// Stop QEMU if it is still running (it powers off by itself after the
/// exit mark) and say how it ended.
fn stop(child: &mut Child) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.to_string(),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return "killed".into();
            }
        }
    }
}

/// QEMU must be there before anything is downloaded or built.
pub fn find_qemu() -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("qemu-system-i386"))
        .find(|p| p.is_file())
        .ok_or_else(|| NO_QEMU.to_string())
}

/// Whether this host has a usable `/dev/kvm` (QEMU's probe boot decides
/// whether it runs a 32-bit PAE guest).
pub fn kvm_device() -> Result<(), String> {
    fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
        .map(|_| ())
        .map_err(|e| format!("/dev/kvm: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_for_the_shell() {
        assert_eq!(shell_quote("lowhigh,cmpxchg8b"), "'lowhigh,cmpxchg8b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn init_runs_litmus_with_the_arguments_and_reports_its_status() {
        let init = init_script(&["PTE-ABA".into(), "--duration".into(), "5".into()]);
        assert!(init.starts_with("#!/bin/busybox sh\n"));
        assert!(init.contains("/litmus run 'PTE-ABA' '--duration' '5' --csv /results/guest.csv"));
        assert!(init.contains(MARK_EXIT) && init.contains(MARK_START) && init.contains(MARK_PROBE));
        // Every module is inserted, in dependency order.
        let at = |m: &str| {
            init.find(&format!(" {m} "))
                .or_else(|| init.find(&format!(" {m};")))
                .unwrap()
        };
        assert!(at("virtio") < at("virtio_ring") && at("9pnet") < at("9pnet_virtio"));
    }

    #[test]
    fn the_initramfs_is_a_newc_archive_with_init_litmus_and_modules() {
        let dir = std::env::temp_dir().join(format!("pte-litmus-initramfs-{}", std::process::id()));
        let root = dir.join("image");
        let image = image_in(&root, "6.1.0-0-686-pae");
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
