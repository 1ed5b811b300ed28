pub use pte_asm;
