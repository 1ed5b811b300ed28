//! What the CPU is and can do, from `cpuid`: the feature bits that decide
//! which strategies may run (a missing one is reported, never executed, so
//! no SIGILL), and the identity the CSV rows carry so that results from
//! different machines can be told apart.
//!
//! Uses `core::arch`'s `__cpuid` intrinsic: `cpuid` is serialising, so it is
//! never called inside a test body, only once at start-up.

#[cfg(target_arch = "x86")]
use core::arch::x86::__cpuid;
#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::__cpuid;

/// The cpuid feature bits the strategies and the clocks need (leaf 1 EDX;
/// leaf 1 ECX bit 31 for a hypervisor; extended leaves for the TSC).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Features {
    /// x87 FPU on chip (EDX bit 0): `fild`/`fistp`.
    pub fpu: bool,
    /// CMPXCHG8B (EDX bit 8): `cmpxchg8b`, `xchg64`. Every PAE kernel needs it.
    pub cx8: bool,
    /// MMX (EDX bit 23): `movq-mmx`.
    pub mmx: bool,
    /// SSE (EDX bit 25): `sfence`.
    pub sse: bool,
    /// SSE2 (EDX bit 26): `lfence`, `mfence`, `movq-sse2`.
    pub sse2: bool,
    /// Running under a hypervisor (ECX bit 31).
    pub hypervisor: bool,
    /// RDTSCP (leaf 0x8000_0001, EDX bit 27).
    pub rdtscp: bool,
    /// An invariant TSC (leaf 0x8000_0007, EDX bit 8): the counter ticks at
    /// one constant rate in every P-, C- and T-state (SDM Vol. 3B,
    /// "Invariant TSC"). Hypervisors may hide the bit even where the host
    /// has it.
    pub invariant_tsc: bool,
}

impl Features {
    /// Read the bits with `cpuid` leaf 1.
    pub fn detect() -> Self {
        // cpuid exists on every CPU these targets run on (i586 and later);
        // leaf 1 is always implemented.
        let leaf1 = __cpuid(1);
        let edx = leaf1.edx;
        let max_extended = __cpuid(0x8000_0000).eax;
        let rdtscp = max_extended >= 0x8000_0001 && __cpuid(0x8000_0001).edx & (1 << 27) != 0;
        let invariant_tsc = max_extended >= 0x8000_0007 && __cpuid(0x8000_0007).edx & (1 << 8) != 0;
        Features {
            fpu: edx & (1 << 0) != 0,
            cx8: edx & (1 << 8) != 0,
            mmx: edx & (1 << 23) != 0,
            sse: edx & (1 << 25) != 0,
            sse2: edx & (1 << 26) != 0,
            hypervisor: leaf1.ecx & (1 << 31) != 0,
            rdtscp,
            invariant_tsc,
        }
    }
}

/// Fixed-size ASCII text from cpuid registers (no allocation: this crate is
/// `no_std`). `as_str()` trims trailing NULs and spaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpuText<const N: usize> {
    bytes: [u8; N],
}

impl<const N: usize> CpuText<N> {
    const fn empty() -> Self {
        CpuText { bytes: [0; N] }
    }

    fn from_registers(registers: &[u32]) -> Self {
        let mut text = Self::empty();
        for (i, register) in registers.iter().enumerate() {
            text.bytes[i * 4..i * 4 + 4].copy_from_slice(&register.to_le_bytes());
        }
        text
    }

    /// The text, trimmed; non-ASCII or non-UTF-8 bytes make it empty.
    pub fn as_str(&self) -> &str {
        let end = self.bytes.iter().position(|&b| b == 0).unwrap_or(N);
        core::str::from_utf8(&self.bytes[..end])
            .unwrap_or("")
            .trim()
    }
}

/// Who made the CPU, which one it is, and whose hypervisor runs it.
#[derive(Clone, Copy, Debug)]
pub struct Identity {
    /// Leaf 0 vendor string, e.g. `GenuineIntel`, `AuthenticAMD`.
    pub vendor: CpuText<12>,
    /// Leaves 0x8000_0002..4 brand string, empty where not implemented.
    pub brand: CpuText<48>,
    /// Display family (base + extended family when base is 0xF).
    pub family: u32,
    /// Display model (extended model folded in for family 6 and 0xF).
    pub model: u32,
    pub stepping: u32,
    /// Leaf 0x4000_0000 vendor (`KVMKVMKVM`, `Microsoft Hv`, `TCGTCGTCGTCG`,
    /// ...) when the hypervisor bit is set; `None` on bare metal.
    pub hypervisor: Option<CpuText<12>>,
}

impl Identity {
    pub fn detect() -> Self {
        // cpuid is available on i586 and later; extended leaves are read only
        // after checking the maximum extended leaf.
        let leaf0 = __cpuid(0);
        // The vendor string is EBX, EDX, ECX in that order.
        let vendor = CpuText::from_registers(&[leaf0.ebx, leaf0.edx, leaf0.ecx]);

        let eax = __cpuid(1).eax;
        let base_family = (eax >> 8) & 0xF;
        let base_model = (eax >> 4) & 0xF;
        let family = if base_family == 0xF {
            base_family + ((eax >> 20) & 0xFF)
        } else {
            base_family
        };
        let model = if base_family == 0x6 || base_family == 0xF {
            ((eax >> 16) & 0xF) << 4 | base_model
        } else {
            base_model
        };

        let max_extended = __cpuid(0x8000_0000).eax;
        let brand = if max_extended >= 0x8000_0004 {
            let mut registers = [0u32; 12];
            for (i, leaf) in (0x8000_0002u32..=0x8000_0004).enumerate() {
                let r = __cpuid(leaf);
                registers[i * 4..i * 4 + 4].copy_from_slice(&[r.eax, r.ebx, r.ecx, r.edx]);
            }
            CpuText::from_registers(&registers)
        } else {
            CpuText::empty()
        };

        let hypervisor = if Features::detect().hypervisor {
            let r = __cpuid(0x4000_0000);
            Some(CpuText::from_registers(&[r.ebx, r.ecx, r.edx]))
        } else {
            None
        };

        Identity {
            vendor,
            brand,
            family,
            model,
            stepping: eax & 0xF,
            hypervisor,
        }
    }
}
