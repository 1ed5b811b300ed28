//! The machine a result came from: the columns every CSV row carries, so
//! that CSVs from many machines (old i686 boxes, 64-bit hosts, guests) can
//! be compared.

use pte_asm::cpu::Identity;
use serde::{Deserialize, Serialize};

/// Identity columns every CSV row carries (flattened into its columns:
/// [`super::rows`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Machine {
    /// The suite's commit (`git describe --always --dirty`).
    pub commit: String,
    /// The Rust target the binary was built for.
    pub target: String,
    /// 32 or 64: the width of the process, not of the CPU.
    pub pointer_width: u32,
    /// cpuid vendor, e.g. `GenuineIntel`, `AuthenticAMD`.
    pub cpu_vendor: String,
    /// cpuid brand string, e.g. `Intel(R) Atom(TM) CPU N270 @ 1.60GHz`.
    pub cpu_model: String,
    pub cpu_family: u32,
    pub cpu_model_id: u32,
    pub cpu_stepping: u32,
    /// `/proc/cpuinfo` microcode revision, or `unknown`.
    pub microcode: String,
    /// cpuid leaf 0x40000000 vendor (`KVMKVMKVM`, `TCGTCGTCGTCG`, ...) or `none`.
    pub hypervisor: String,
    /// `uname -r`.
    pub kernel: String,
    /// Online logical CPUs.
    pub logical_cpus: u32,
    /// The accelerator of the guest `litmus guest` booted (`kvm` or `tcg`),
    /// or `none` for a run straight on the host's kernel.
    pub accel: String,
    /// The guest's vCPUs as `litmus guest` gave them, or empty outside one.
    pub vcpus: String,
}

/// Set in the guest's environment by `litmus guest` (on the guest kernel's
/// command line, which hands unknown `NAME=value` words to init).
pub const ACCEL_VAR: &str = "PTE_LITMUS_ACCEL";
pub const VCPUS_VAR: &str = "PTE_LITMUS_VCPUS";

impl Machine {
    pub fn detect() -> Machine {
        let id = Identity::detect();
        Machine {
            commit: env!("PTE_LITMUS_COMMIT").into(),
            target: pte_asm::TARGET.into(),
            pointer_width: usize::BITS,
            cpu_vendor: id.vendor.as_str().into(),
            cpu_model: id.brand.as_str().into(),
            cpu_family: id.family,
            cpu_model_id: id.model,
            cpu_stepping: id.stepping,
            microcode: microcode().unwrap_or_else(|| "unknown".into()),
            hypervisor: id
                .hypervisor
                .map_or("none".into(), |h| h.as_str().to_string()),
            kernel: kernel_release(),
            logical_cpus: logical_cpus(),
            accel: std::env::var(ACCEL_VAR).unwrap_or_else(|_| "none".into()),
            vcpus: std::env::var(VCPUS_VAR).unwrap_or_default(),
        }
    }

    /// One line for the top of a report.
    pub fn describe(&self) -> String {
        format!(
            "{} (family {} model {} stepping {}, microcode {}), hypervisor {}, kernel {}, {} CPUs{}, {} ({}-bit), commit {}",
            if self.cpu_model.is_empty() {
                &self.cpu_vendor
            } else {
                &self.cpu_model
            },
            self.cpu_family,
            self.cpu_model_id,
            self.cpu_stepping,
            self.microcode,
            self.hypervisor,
            self.kernel,
            self.logical_cpus,
            if self.accel == "none" {
                String::new()
            } else {
                format!(
                    ", a litmus guest under {} with {} vCPUs",
                    self.accel, self.vcpus
                )
            },
            self.target,
            self.pointer_width,
            self.commit
        )
    }
}

fn microcode() -> Option<String> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    cpuinfo
        .lines()
        .find(|l| l.starts_with("microcode"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

fn kernel_release() -> String {
    // SAFETY: uname fills a zeroed utsname; its fields are NUL-terminated.
    unsafe {
        let mut name: libc::utsname = std::mem::zeroed();
        if libc::uname(&mut name) != 0 {
            return "unknown".into();
        }
        std::ffi::CStr::from_ptr(name.release.as_ptr())
            .to_string_lossy()
            .into_owned()
    }
}

fn logical_cpus() -> u32 {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    n.max(1) as u32
}
