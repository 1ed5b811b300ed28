//! `litmus guest`: the suite inside a 32-bit PAE Linux guest.
//!
//! The seed's race is about a 32-bit PAE kernel. This boots Debian's i386
//! `686-pae` kernel under QEMU with an initramfs holding busybox, the static
//! `i686-unknown-linux-musl` `litmus` and the 9p modules; the guest's `/init`
//! runs `litmus run` with the caller's request, writing its CSV through a 9p
//! share row by row, so a crash or Ctrl-C keeps every finished run; the
//! host then appends the rows to the request's CSV. The rows carry the
//! guest's kernel, `pointer_width` 32, the accelerator and the vCPU count.
//!
//! Files: [`image`] (download and cache), [`modules`] (which kernel modules,
//! in the order their `depends=` needs), [`initramfs`] (the guest's
//! `litmus`, `/init`, the archive), [`qemu`] (boot and console).

pub mod image;
pub mod initramfs;
pub mod modules;
pub mod qemu;

use crate::error::{BadInputExt, Error};
use crate::harness::{INTERRUPTED, interrupt_on_ctrl_c};
use crate::report::rows::RunRow;
use crate::report::{csv_file, sink::CsvSink};
use crate::run::RunRequest;
use qemu::{Boot, Ending, PROBE_TIMEOUT};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

/// Which accelerator QEMU uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accel {
    /// KVM if a short probe boot works, else TCG.
    Auto,
    Kvm,
    /// QEMU's software emulation (multi-threaded: one host thread per vCPU).
    Tcg,
}

impl Accel {
    pub const NAMES: [&str; 3] = ["auto", "kvm", "tcg"];

    pub fn from_name(name: &str) -> Option<Accel> {
        match name {
            "auto" => Some(Accel::Auto),
            "kvm" => Some(Accel::Kvm),
            "tcg" => Some(Accel::Tcg),
            _ => None,
        }
    }
}

/// Everything one `litmus guest` needs.
#[derive(Clone, Debug)]
pub struct GuestConfig {
    /// The run inside the guest; its `csv` is the host's file.
    pub run: RunRequest,
    pub accel: Accel,
    pub cpus: u32,
    /// Guest memory in MiB.
    pub memory: u32,
    /// Seconds from QEMU's start to the guest's poweroff before QEMU is
    /// killed; `None`: [`default_timeout`].
    pub timeout: Option<u64>,
    /// A static i686 `litmus` to run instead of building one.
    pub binary: Option<PathBuf>,
    /// Where downloads are cached; `None`: [`image::default_cache`].
    pub cache: Option<PathBuf>,
}

/// Seconds allowed from QEMU's start to poweroff: three minutes for the boot
/// and the run's start under emulation, plus twice the run's budget (its
/// calibration and thread start-up are slower under emulation; an
/// iterations budget counts as a minute a run).
pub fn default_timeout(jobs: usize, seconds_per_run: Option<f64>) -> u64 {
    let per_run = seconds_per_run.unwrap_or(60.0);
    (180.0 + 2.0 * jobs as f64 * (per_run + 1.0)).ceil() as u64
}

/// The per-run directory under the cache (initramfs, the 9p share),
/// removed when dropped: after a failure as after a success.
struct WorkDir(PathBuf);

impl WorkDir {
    fn create(cache: &Path) -> Result<WorkDir, Error> {
        let dir = WorkDir(cache.join(format!("run-{}", std::process::id())));
        let share = dir.share();
        std::fs::create_dir_all(&share)
            .map_err(|e| Error::Failed(format!("guest: cannot create {}: {e}", share.display())))?;
        Ok(dir)
    }

    /// The directory the guest mounts as `/results`.
    fn share(&self) -> PathBuf {
        self.0.join("results")
    }

    fn initramfs(&self) -> PathBuf {
        self.0.join("initramfs.cpio")
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `litmus guest`: check everything on the host, fetch and build what the
/// guest needs, boot it, bring its CSV rows back, end as its run ended.
pub fn run(config: &GuestConfig) -> Result<(), Error> {
    check_input(config)?;
    let jobs = config.run.jobs()?.len();
    let mut sink = match &config.run.csv {
        Some(path) => Some(CsvSink::<RunRow>::open(path).bad_input()?),
        None => None,
    };
    interrupt_on_ctrl_c();
    let failed = |e: String| Error::Failed(format!("guest: {e}"));
    qemu::find_qemu().map_err(failed)?;
    let cache = config.cache.clone().unwrap_or_else(image::default_cache);
    let image = image::fetch_image(&cache).map_err(failed)?;
    let litmus = match &config.binary {
        Some(path) => path.clone(),
        None => initramfs::build_guest_litmus().map_err(failed)?,
    };
    let work = WorkDir::create(&cache)?;
    let init = initramfs::init_script(&config.run.to_argv(), &image.module_names());
    initramfs::write_initramfs(&work.initramfs(), &image, &litmus, &init).map_err(failed)?;
    let (share, initramfs) = (work.share(), work.initramfs());
    let console_log = cache.join("console.log");
    let probe_log = cache.join("console-probe.log");
    let boot = |accel, probe| Boot {
        image: &image,
        initramfs: &initramfs,
        share: &share,
        accel,
        cpus: config.cpus,
        memory: config.memory,
        probe,
        console_log: if probe { &probe_log } else { &console_log },
    };
    let interrupted = || INTERRUPTED.load(Relaxed);
    let accel = match config.accel {
        Accel::Auto => choose_accel(|| boot(Accel::Kvm, true).run(PROBE_TIMEOUT, &interrupted)),
        chosen => chosen,
    };
    if accel == Accel::Tcg {
        eprintln!(
            "litmus: guest: under TCG each vCPU is a host thread running translated code: the \
             x86 ordering model is kept, but timings and rates are not those of real hardware"
        );
    }
    eprintln!(
        "litmus: guest: booting {} with {} vCPUs, {} MiB; console log in {}",
        image.release,
        config.cpus,
        config.memory,
        console_log.display()
    );
    let timeout = config
        .timeout
        .unwrap_or_else(|| default_timeout(jobs, config.run.seconds_per_run()));
    let ending = boot(accel, false).run(Duration::from_secs(timeout), &interrupted);

    // Whatever finished reaches the host's CSV, however the guest ended.
    let guest_csv = share.join("guest.csv");
    let copied = match sink.as_mut() {
        Some(sink) if guest_csv.is_file() => guest_rows(&guest_csv)
            .and_then(|rows| sink.write(&rows).map(|_| rows.len()))
            .map_err(|e| failed(format!("the guest's CSV: {e}")))?,
        _ => 0,
    };
    if let Some(path) = &config.run.csv {
        eprintln!("litmus: guest: {copied} rows into {}", path.display());
    }
    match ending.map_err(failed)? {
        Ending::Interrupted => Err(Error::Interrupted),
        Ending::Exited(0) => Ok(()),
        Ending::Exited(1) => Err(Error::Finding(
            "a forbidden outcome was observed in the guest (UNEXPECTED above)".into(),
        )),
        Ending::Exited(130) => Err(Error::Interrupted),
        Ending::Exited(status) => Err(failed(format!(
            "litmus run in the guest exited with status {status}"
        ))),
    }
}

/// The checks that need no download: cores the guest will have, a binary
/// that exists.
fn check_input(config: &GuestConfig) -> Result<(), Error> {
    if let Some(file) = config
        .run
        .tests
        .iter()
        .find(|t| crate::catalog::file::is_path(t))
    {
        return Err(Error::BadInput(format!(
            "'{file}': the guest runs the built-in tests only (its initramfs holds no .litmus files)"
        )));
    }
    if let Some(core) = config
        .run
        .cores
        .iter()
        .find(|c| **c >= config.cpus as usize)
    {
        return Err(Error::BadInput(format!(
            "core {core} does not exist in a guest with {} vCPUs (--cpus)",
            config.cpus
        )));
    }
    if let Some(binary) = &config.binary
        && !binary.is_file()
    {
        return Err(Error::BadInput(format!(
            "--binary {}: no such file",
            binary.display()
        )));
    }
    Ok(())
}

/// `--accel auto`: KVM if `/dev/kvm` opens and a probe boot reaches `/init`,
/// else TCG, saying which and why.
fn choose_accel(probe: impl FnOnce() -> Result<Ending, String>) -> Accel {
    match qemu::kvm_device() {
        Err(why) => {
            eprintln!("litmus: guest: TCG ({why})");
            Accel::Tcg
        }
        Ok(()) => match probe() {
            Ok(_) => {
                eprintln!("litmus: guest: KVM (a probe boot of the 686-pae kernel worked)");
                Accel::Kvm
            }
            Err(why) => {
                eprintln!("litmus: guest: TCG (KVM probe boot failed: {why})");
                Accel::Tcg
            }
        },
    }
}

/// The rows of the guest's CSV, which must have this version's header.
/// The guest's rows, which must be this version's `litmus run` rows.
fn guest_rows(path: &Path) -> Result<Vec<RunRow>, String> {
    let rows = csv_file::read_typed::<RunRow>(path, &[], "this version's litmus run")?;
    Ok(rows.into_iter().map(|(_, row)| row).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_work_directory_goes_whatever_happens() {
        let cache = std::env::temp_dir().join(format!("pte-litmus-workdir-{}", std::process::id()));
        let path = {
            let work = WorkDir::create(&cache).unwrap();
            std::fs::write(work.share().join("guest.csv"), "x").unwrap();
            assert!(work.share().is_dir());
            work.0.clone()
        };
        assert!(!path.exists(), "{} left behind", path.display());
        std::fs::remove_dir_all(&cache).unwrap();
    }

    #[test]
    fn the_default_timeout_covers_the_boot_and_twice_the_budget() {
        assert_eq!(default_timeout(1, Some(1.0)), 184);
        assert_eq!(default_timeout(10, Some(2.0)), 240);
        // An iterations budget counts as a minute a run.
        assert_eq!(default_timeout(1, None), 302);
    }
}
