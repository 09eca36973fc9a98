//! The read-only file tree a frozen program sees under its virtual root: every bundled
//! data file, every bundled module's source file, and the directories that hold them.
//!
//! Paths are relative to the root and `/`-separated, as the payload records them
//! (`pkg/data/x.txt`, `pkg/__init__.py`); the root itself is `""`. The tree is built from
//! the manifest the first time a program touches a path under the root, so a program
//! that never does pays nothing for it.

use std::collections::{BTreeMap, HashMap};

use freeze_payload::{ModuleKind, Payload};

/// What lies at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node<'a> {
    Dir,
    /// A data file, with its bytes.
    File(&'a [u8]),
    /// A module's source file: its text when the source was kept, else None (frozen with
    /// `--no-source`, or a standard-library module).
    Source(Option<&'a str>),
}

impl Node<'_> {
    pub fn is_dir(&self) -> bool {
        matches!(self, Node::Dir)
    }

    /// Size in bytes, as `st_size` reports it (0 for a directory or an absent source).
    pub fn size(&self) -> u64 {
        match self {
            Node::Dir | Node::Source(None) => 0,
            Node::File(bytes) => bytes.len() as u64,
            Node::Source(Some(text)) => text.len() as u64,
        }
    }

    /// The content, when the program can read it.
    pub fn content(&self) -> Option<&[u8]> {
        match self {
            Node::File(bytes) => Some(bytes),
            Node::Source(Some(text)) => Some(text.as_bytes()),
            Node::Dir | Node::Source(None) => None,
        }
    }
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    pub name: String,
    pub is_dir: bool,
}

/// Every path of the tree with its node and a stable serial number (its inode).
#[derive(Debug, Default)]
pub struct Tree<'a> {
    nodes: BTreeMap<String, (Node<'a>, u64)>,
    children: HashMap<String, Vec<Child>>,
}

impl<'a> Tree<'a> {
    /// The tree of a payload. When a data file and a module source claim the same path
    /// (they cannot, as the freezer keeps `.py` files out of data), the data file wins.
    pub fn new(payload: &Payload<'a>) -> Self {
        let mut tree = Tree::default();
        tree.nodes.insert(String::new(), (Node::Dir, 0));
        for file in &payload.manifest.data {
            if let Some(bytes) = payload.data(&file.path) {
                tree.insert(&file.path, Node::File(bytes));
            }
        }
        for module in &payload.manifest.modules {
            let node = match module.kind {
                ModuleKind::Namespace => Node::Dir,
                ModuleKind::Module | ModuleKind::Package => Node::Source(payload.source(module)),
            };
            tree.insert(&module.origin, node);
        }
        for (serial, (_, ino)) in tree.nodes.values_mut().enumerate() {
            *ino = serial as u64 + 1;
        }
        for list in tree.children.values_mut() {
            list.sort_by(|a, b| a.name.cmp(&b.name));
        }
        tree
    }

    fn insert(&mut self, path: &str, node: Node<'a>) {
        let path = path.trim_matches('/');
        if path.is_empty() || self.nodes.contains_key(path) {
            return;
        }
        self.nodes.insert(path.to_owned(), (node, 0));
        let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
        self.children
            .entry(parent.to_owned())
            .or_default()
            .push(Child {
                name: name.to_owned(),
                is_dir: node.is_dir(),
            });
        if !self.nodes.contains_key(parent) {
            self.insert(parent, Node::Dir);
        }
    }

    /// The node at `path` and its serial number.
    pub fn get(&self, path: &str) -> Option<(Node<'a>, u64)> {
        self.nodes.get(path).copied()
    }

    /// The entries of directory `path`, sorted by name; None when it is not a directory.
    pub fn list(&self, path: &str) -> Option<&[Child]> {
        match self.nodes.get(path) {
            Some((Node::Dir, _)) => Some(self.children.get(path).map_or(&[], Vec::as_slice)),
            _ => None,
        }
    }
}

/// The tree as the program reads it: `_freeze.node`, `_freeze.read`, `_freeze.list_dir`.
#[rustpython_vm::pymodule(sub, name = "_freeze")]
pub(crate) mod tree_functions {
    use super::{Node, Tree};
    use rustpython_vm::{PyObjectRef, VirtualMachine, builtins::PyUtf8StrRef};
    use std::sync::OnceLock;

    fn tree() -> &'static Tree<'static> {
        static TREE: OnceLock<Tree<'static>> = OnceLock::new();
        TREE.get_or_init(|| Tree::new(crate::payload()))
    }

    /// `(kind, size, serial)` of the node at a root-relative path — kind 0 directory,
    /// 1 readable file, 2 file whose content is not bundled — or None.
    #[pyfunction]
    fn node(path: PyUtf8StrRef) -> Option<(u8, u64, u64)> {
        let (node, serial) = tree().get(path.as_str())?;
        let kind = match node {
            Node::Dir => 0,
            Node::File(_) | Node::Source(Some(_)) => 1,
            Node::Source(None) => 2,
        };
        Some((kind, node.size(), serial))
    }

    /// The bytes of a readable file at a root-relative path, or None.
    #[pyfunction]
    fn read(path: PyUtf8StrRef, vm: &VirtualMachine) -> Option<PyObjectRef> {
        let (node, _) = tree().get(path.as_str())?;
        Some(vm.ctx.new_bytes(node.content()?.to_vec()).into())
    }

    /// `(name, is_dir)` of each entry of the directory at a root-relative path ("" is the
    /// root), sorted by name; None when that is not a directory.
    #[pyfunction]
    fn list_dir(path: PyUtf8StrRef, vm: &VirtualMachine) -> Option<PyObjectRef> {
        let children = tree().list(path.as_str().trim_end_matches('/'))?;
        let items = children
            .iter()
            .map(|c| vm.new_tuple((c.name.clone(), c.is_dir)).into())
            .collect();
        Some(vm.ctx.new_list(items).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use freeze_payload::PayloadBuilder;

    fn payload_bytes() -> Vec<u8> {
        let mut b = PayloadBuilder::new("__main__", 0);
        b.add_module(
            "__main__",
            ModuleKind::Module,
            "app.py",
            vec![],
            Some("x = 1\n".into()),
        );
        b.add_module("pkg", ModuleKind::Package, "pkg/__init__.py", vec![], None);
        b.add_module(
            "pkg.sub",
            ModuleKind::Module,
            "pkg/sub.py",
            vec![],
            Some("y\n".into()),
        );
        b.add_module("ns", ModuleKind::Namespace, "ns", vec![], None);
        b.add_data("pkg/data/deep/a.txt", b"abc".to_vec());
        b.add_data("pkg/data/b.bin", vec![0; 5]);
        b.add_data("static/c.ini", b"[c]\n".to_vec());
        b.finish()
    }

    #[test]
    fn files_sources_and_implied_directories() {
        let bytes = payload_bytes();
        let payload = Payload::parse(&bytes).unwrap();
        let tree = Tree::new(&payload);
        let names = |dir: &str| -> Vec<(String, bool)> {
            tree.list(dir)
                .unwrap()
                .iter()
                .map(|c| (c.name.clone(), c.is_dir))
                .collect()
        };
        let own = |v: &[(&str, bool)]| -> Vec<(String, bool)> {
            v.iter().map(|(n, d)| (n.to_string(), *d)).collect()
        };
        assert_eq!(
            names(""),
            own(&[
                ("app.py", false),
                ("ns", true),
                ("pkg", true),
                ("static", true)
            ])
        );
        assert_eq!(
            names("pkg"),
            own(&[("__init__.py", false), ("data", true), ("sub.py", false)])
        );
        assert_eq!(names("pkg/data"), own(&[("b.bin", false), ("deep", true)]));
        assert_eq!(names("ns"), own(&[]));
        assert_eq!(tree.list("pkg/sub.py"), None);
        assert_eq!(tree.list("nope"), None);

        let (node, _) = tree.get("pkg/data/deep/a.txt").unwrap();
        assert_eq!((node.content(), node.size()), (Some(&b"abc"[..]), 3));
        let (node, _) = tree.get("pkg/sub.py").unwrap();
        assert_eq!((node.content(), node.size()), (Some(&b"y\n"[..]), 2));
        let (node, _) = tree.get("pkg/__init__.py").unwrap();
        assert_eq!((node.content(), node.size()), (None, 0));
        assert!(tree.get("pkg/data/deep").unwrap().0.is_dir());
        assert!(tree.get("").unwrap().0.is_dir());
        assert_eq!(tree.get("pkg/data/nope"), None);

        // Serial numbers are distinct.
        let mut inos: Vec<u64> = tree.nodes.values().map(|(_, ino)| *ino).collect();
        inos.sort();
        inos.dedup();
        assert_eq!(inos.len(), tree.nodes.len());
    }
}
