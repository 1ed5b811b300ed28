//! Which kernel modules the guest inserts, and in what order: the 9p share
//! over virtio-pci, with every module those need, each after the modules
//! its own `depends=` names.
//!
//! Debian's kernel package ships no `modules.dep` and busybox's `insmod`
//! resolves nothing, so the order is worked out here from each module's
//! `.modinfo` section (what `modinfo` prints). It changes between ABI
//! releases of one kernel series: `6.1.0-50-686-pae`'s `virtio.ko` needs
//! nothing, `6.1.0-57-686-pae`'s needs `virtio_ring`.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// What the guest needs: the PCI transport of virtio, 9p's virtio channel
/// and the 9p file system. Everything else follows from their `depends=`.
pub const ROOTS: [&str; 3] = ["virtio_pci", "9pnet_virtio", "9p"];

/// A module's name as the kernel spells it: the file name without `.ko`,
/// with `-` as `_` (`depends=` lists names, not files).
pub fn module_name(file: &Path) -> Option<String> {
    let name = file.file_name()?.to_str()?.strip_suffix(".ko")?;
    Some(name.replace('-', "_"))
}

/// Every `.ko` below `dir` (a package's `lib/modules/RELEASE/kernel`), by
/// module name.
pub fn index(dir: &Path) -> Result<HashMap<String, PathBuf>, String> {
    let mut found = HashMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries =
            fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry
                .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
                .path();
            if path.is_dir() {
                pending.push(path);
            } else if let Some(name) = module_name(&path) {
                found.insert(name, path);
            }
        }
    }
    Ok(found)
}

/// The modules a `.ko` file's `.modinfo` names in `depends=` (none when the
/// field is empty or absent).
pub fn depends(ko: &[u8]) -> Result<Vec<String>, String> {
    use object::{Object, ObjectSection};
    let file = object::File::parse(ko).map_err(|e| format!("not an ELF module: {e}"))?;
    let section = file
        .section_by_name(".modinfo")
        .ok_or("no .modinfo section")?;
    let data = section
        .data()
        .map_err(|e| format!("unreadable .modinfo section: {e}"))?;
    // `.modinfo` is a run of NUL-terminated `key=value` strings.
    Ok(data
        .split(|&b| b == 0)
        .filter_map(|field| field.strip_prefix(b"depends="))
        .flat_map(|list| list.split(|&b| b == b','))
        .filter(|name| !name.is_empty())
        .map(|name| String::from_utf8_lossy(name).replace('-', "_"))
        .collect())
}

/// `roots` and everything they depend on, each after its dependencies
/// (depth first, dependencies in the order `depends=` lists them).
/// `depends_of` gives a module's dependencies, or why it cannot; a module
/// that depends on itself through others is refused, naming the cycle.
pub fn load_order(
    roots: &[&str],
    mut depends_of: impl FnMut(&str) -> Result<Vec<String>, String>,
) -> Result<Vec<String>, String> {
    let mut order = Vec::new();
    let mut path: Vec<String> = Vec::new();
    for root in roots {
        visit(root, &mut depends_of, &mut path, &mut order)?;
    }
    Ok(order)
}

fn visit(
    name: &str,
    depends_of: &mut impl FnMut(&str) -> Result<Vec<String>, String>,
    path: &mut Vec<String>,
    order: &mut Vec<String>,
) -> Result<(), String> {
    if order.iter().any(|done| done == name) {
        return Ok(());
    }
    if let Some(start) = path.iter().position(|p| p == name) {
        let cycle = path[start..].join(" -> ");
        return Err(format!(
            "the modules depend on each other in a cycle: {cycle} -> {name}"
        ));
    }
    let needs = depends_of(name).map_err(|e| match path.last() {
        Some(by) => format!("module '{name}' (needed by '{by}'): {e}"),
        None => format!("module '{name}': {e}"),
    })?;
    path.push(name.to_string());
    for need in &needs {
        visit(need, depends_of, path, order)?;
    }
    path.pop();
    order.push(name.to_string());
    Ok(())
}

/// The load order of [`ROOTS`] among the modules of `kernel_dir` (a
/// package's `lib/modules/RELEASE/kernel`), with each module's file.
pub fn resolve(kernel_dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let files = index(kernel_dir)?;
    let order = load_order(&ROOTS, |name| {
        let file = files
            .get(name)
            .ok_or_else(|| format!("not in {}", kernel_dir.display()))?;
        let bytes = fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        depends(&bytes).map_err(|e| format!("{}: {e}", file.display()))
    })?;
    Ok(order
        .into_iter()
        .map(|name| {
            let file = files[&name].clone();
            (name, file)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake module set: name -> its `depends=`.
    fn fake<'a>(
        set: &'a [(&'a str, &'a [&'a str])],
    ) -> impl FnMut(&str) -> Result<Vec<String>, String> + 'a {
        move |name| {
            set.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, d)| d.iter().map(|s| s.to_string()).collect())
                .ok_or_else(|| "not in the package".to_string())
        }
    }

    /// 6.1.0-57-686-pae's 9p stack, as its `.modinfo` sections say.
    const DEBIAN_57: &[(&str, &[&str])] = &[
        ("virtio_ring", &[]),
        ("virtio", &["virtio_ring"]),
        ("virtio_pci_modern_dev", &[]),
        ("virtio_pci_legacy_dev", &[]),
        (
            "virtio_pci",
            &[
                "virtio_pci_modern_dev",
                "virtio_pci_legacy_dev",
                "virtio_ring",
                "virtio",
            ],
        ),
        ("netfs", &[]),
        ("fscache", &["netfs"]),
        ("9pnet", &[]),
        ("9pnet_virtio", &["virtio_ring", "9pnet", "virtio"]),
        ("9p", &["9pnet", "netfs", "fscache"]),
    ];

    fn position(order: &[String], name: &str) -> usize {
        order
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("{name} missing from {order:?}"))
    }

    #[test]
    fn every_module_comes_after_what_it_depends_on() {
        let order = load_order(&ROOTS, fake(DEBIAN_57)).unwrap();
        assert_eq!(order.len(), DEBIAN_57.len(), "{order:?}");
        for (name, needs) in DEBIAN_57 {
            for need in *needs {
                assert!(
                    position(&order, need) < position(&order, name),
                    "{need} before {name}: {order:?}"
                );
            }
        }
        // The order -57 needs and the old fixed list got wrong.
        assert!(position(&order, "virtio_ring") < position(&order, "virtio"));
    }

    #[test]
    fn only_what_the_roots_need_is_loaded() {
        let mut set = DEBIAN_57.to_vec();
        set.push(("unrelated", &["virtio"]));
        let order = load_order(&["9pnet_virtio"], fake(&set)).unwrap();
        assert_eq!(order, ["virtio_ring", "9pnet", "virtio", "9pnet_virtio"]);
    }

    #[test]
    fn a_missing_module_or_a_cycle_is_one_clear_line() {
        let missing: &[(&str, &[&str])] = &[
            ("9p", &["9pnet"]),
            ("virtio_pci", &[]),
            ("9pnet_virtio", &[]),
        ];
        let e = load_order(&ROOTS, fake(missing)).unwrap_err();
        assert_eq!(e, "module '9pnet' (needed by '9p'): not in the package");
        let cycle: &[(&str, &[&str])] = &[("virtio_pci", &["a"]), ("a", &["b"]), ("b", &["a"])];
        let e = load_order(&ROOTS, fake(cycle)).unwrap_err();
        assert_eq!(
            e,
            "the modules depend on each other in a cycle: a -> b -> a"
        );
        assert!(!e.contains('\n'));
    }

    /// An ELF relocatable object with a `.modinfo` section, as a `.ko` is.
    fn ko_with_modinfo(modinfo: &[u8]) -> Vec<u8> {
        use object::write::Object;
        use object::{Architecture, BinaryFormat, Endianness, SectionKind};
        let mut obj = Object::new(BinaryFormat::Elf, Architecture::I386, Endianness::Little);
        let section = obj.add_section(Vec::new(), b".modinfo".to_vec(), SectionKind::ReadOnlyData);
        obj.append_section_data(section, modinfo, 1);
        obj.write().unwrap()
    }

    #[test]
    fn depends_is_read_from_the_modinfo_section() {
        let ko = ko_with_modinfo(
            b"license=GPL\0depends=virtio_ring,9pnet,virtio\0retpoline=Y\0name=9pnet_virtio\0",
        );
        assert_eq!(depends(&ko).unwrap(), ["virtio_ring", "9pnet", "virtio"]);
        let none = ko_with_modinfo(b"license=GPL\0depends=\0name=virtio_ring\0");
        assert!(depends(&none).unwrap().is_empty());
        assert!(
            depends(b"not an ELF file")
                .unwrap_err()
                .contains("not an ELF module")
        );
    }

    #[test]
    fn module_names_are_spelled_as_the_kernel_does() {
        assert_eq!(
            module_name(Path::new("a/b/virtio_pci.ko")).as_deref(),
            Some("virtio_pci")
        );
        assert_eq!(
            module_name(Path::new("x/dm-mod.ko")).as_deref(),
            Some("dm_mod")
        );
        assert_eq!(module_name(Path::new("x/readme.txt")), None);
    }

    #[test]
    fn a_package_tree_resolves_to_files_in_load_order() {
        let dir = std::env::temp_dir().join(format!("pte-litmus-modules-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for (name, needs) in DEBIAN_57 {
            let sub = dir.join(if name.starts_with("virtio") {
                "drivers/virtio"
            } else {
                "fs/9p"
            });
            fs::create_dir_all(&sub).unwrap();
            let modinfo = format!("depends={}\0name={name}\0", needs.join(","));
            fs::write(
                sub.join(format!("{name}.ko")),
                ko_with_modinfo(modinfo.as_bytes()),
            )
            .unwrap();
        }
        let resolved = resolve(&dir).unwrap();
        let names: Vec<String> = resolved.iter().map(|(n, _)| n.clone()).collect();
        assert_eq!(names.len(), DEBIAN_57.len());
        assert!(position(&names, "virtio_ring") < position(&names, "virtio"));
        assert!(resolved.iter().all(|(n, f)| f.ends_with(format!("{n}.ko"))));
        fs::remove_file(dir.join("fs/9p/netfs.ko")).unwrap();
        let e = resolve(&dir).unwrap_err();
        assert!(
            e.starts_with("module 'netfs' (needed by '9p'): not in "),
            "{e}"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
