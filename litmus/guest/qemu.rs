//! Booting the guest under QEMU and following its console: the run's
//! output is shown, everything is logged, every boot has a time limit.

use super::Accel;
use super::image::GuestImage;
use crate::report::machine::{ACCEL_VAR, VCPUS_VAR};
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What the guest's `/init` prints on its console, for the host to follow.
pub const MARK_PROBE: &str = "pte-litmus-guest: probe ok";
pub const MARK_START: &str = "pte-litmus-guest: start";
pub const MARK_EXIT: &str = "pte-litmus-guest: exit ";
pub const MARK_FAIL: &str = "pte-litmus-guest: failed: ";

/// What to say when QEMU is missing.
const NO_QEMU: &str = "qemu-system-i386 is not installed (Debian: apt-get install qemu-system-x86)";

/// How long a KVM probe boot may take before TCG is used instead.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(30);

/// How the guest ended.
pub enum Ending {
    /// `/init` reported the exit status of `litmus run`.
    Exited(i32),
    /// The host's Ctrl-C stopped it.
    Interrupted,
}

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
    /// `timeout` bounds the whole boot, from QEMU's start to the exit mark
    /// (or the probe's mark); past it QEMU is killed.
    pub fn run(&self, timeout: Duration, interrupted: &dyn Fn() -> bool) -> Result<Ending, String> {
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
        let ending = self.follow(&receiver, timeout, interrupted);
        // After its exit mark (or the console closing) the guest powers off
        // by itself: give it a moment. Past the deadline, or after Ctrl-C,
        // there is nothing to wait for.
        let grace = match ending {
            Ok(Some(Ending::Exited(_)) | None) => Duration::from_secs(5),
            _ => Duration::ZERO,
        };
        let stopped = stop(&mut child, grace);
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
        timeout: Duration,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<Option<Ending>, String> {
        let mut started = false;
        let deadline = Instant::now() + timeout;
        loop {
            if interrupted() {
                return Ok(Some(Ending::Interrupted));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!(
                    "the guest {} within {} s of QEMU's start: stopped",
                    if started {
                        "did not finish"
                    } else {
                        "did not start litmus"
                    },
                    timeout.as_secs()
                ));
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
                    } else if started {
                        println!("{line}");
                    }
                }
            }
        }
    }
}

/// Stop QEMU if it is still running after `grace`, and say how it ended.
fn stop(child: &mut Child, grace: Duration) -> String {
    let deadline = Instant::now() + grace;
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
