//! `RECORD`: the files a distribution installed, one CSV row each (`path,hash,size`).

/// The paths a RECORD lists that live inside the root: not `../../bin/tool`, not the
/// `.dist-info` itself or a `.data` directory, not absolute paths.
pub fn paths_inside(record: &str) -> Vec<String> {
    all_paths(record)
        .into_iter()
        .filter(|path| {
            let first = path.split('/').next().unwrap_or_default();
            !path.is_empty()
                && !path.starts_with('/')
                && !path.split('/').any(|p| p == "..")
                && !first.ends_with(".dist-info")
                && !first.ends_with(".data")
        })
        .collect()
}

/// Every path a RECORD lists (its first column), as written.
pub fn all_paths(record: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(record.as_bytes());
    reader
        .records()
        .flatten()
        .filter_map(|row| row.get(0).map(|p| p.trim().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn record_keeps_files_inside_the_root() {
        let record = "pkg/__init__.py,sha256=x,10\n\
                      pkg/data/table.json,sha256=y,20\n\
                      \"pkg/odd,name.txt\",sha256=z,3\n\
                      pkg-1.0.dist-info/RECORD,,\n\
                      ../../bin/tool,sha256=w,5\n\
                      pkg/__pycache__/x.cpython-311.pyc,,\n";
        assert_eq!(
            super::paths_inside(record),
            [
                "pkg/__init__.py",
                "pkg/data/table.json",
                "pkg/odd,name.txt",
                "pkg/__pycache__/x.cpython-311.pyc"
            ]
        );
    }
}
