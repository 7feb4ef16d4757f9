//! Go's `text/tabwriter`, as kubectl uses it: cells end at a tab; a column's width is set per
//! block of consecutive lines that have that column; the last cell of a line is not padded.

/// Aligns tab-separated text. `min_width` counts the padding, as in Go.
pub fn align(text: &str, min_width: usize, padding: usize) -> String {
    let lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    // Tab-terminated cells per line: all but the last piece.
    let cells = |i: usize| lines[i].len().saturating_sub(1);
    let max_cols = (0..lines.len()).map(cells).max().unwrap_or(0);
    let mut widths: Vec<Vec<usize>> = lines.iter().map(|l| vec![0; l.len()]).collect();
    for col in 0..max_cols {
        let mut i = 0;
        while i < lines.len() {
            if cells(i) <= col {
                i += 1;
                continue;
            }
            let start = i;
            let mut w = min_width;
            while i < lines.len() && cells(i) > col {
                w = w.max(lines[i][col].chars().count() + padding);
                i += 1;
            }
            for row in widths.iter_mut().take(i).skip(start) {
                row[col] = w;
            }
        }
    }
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    for (i, line) in lines.iter().enumerate() {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if j + 1 < line.len() {
                let pad = widths[i][j].saturating_sub(cell.chars().count());
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        if i + 1 < lines.len() {
            out.push('\n');
        }
    }
    out
}

/// A kubectl table: rows of cells, padded by 3 with a minimum width of 6.
pub fn table(rows: &[Vec<String>]) -> String {
    let mut text = String::new();
    for r in rows {
        text.push_str(&r.join("\t"));
        text.push('\n');
    }
    align(&text, 6, 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_table_spacing() {
        let rows = vec![
            vec![
                "NAME".to_string(),
                "TYPE".into(),
                "CLUSTER-IP".into(),
                "EXTERNAL-IP".into(),
                "PORT(S)".into(),
                "AGE".into(),
            ],
            vec![
                "service/kubernetes".to_string(),
                "ClusterIP".into(),
                "10.96.0.1".into(),
                "<none>".into(),
                "443/TCP".into(),
                "6d6h".into(),
            ],
            vec![
                "service/web-service".to_string(),
                "ClusterIP".into(),
                "10.100.25.6".into(),
                "<none>".into(),
                "80/TCP".into(),
                "39s".into(),
            ],
        ];
        assert_eq!(
            table(&rows),
            "NAME                  TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)   AGE\nservice/kubernetes    ClusterIP   10.96.0.1     <none>        443/TCP   6d6h\nservice/web-service   ClusterIP   10.100.25.6   <none>        80/TCP    39s\n"
        );
    }

    #[test]
    fn blocks_break_on_lines_without_cells() {
        let text = "Name:\tx\nService Account:\ty\nIPs:\n  IP:\t1\n";
        assert_eq!(
            align(text, 0, 2),
            "Name:             x\nService Account:  y\nIPs:\n  IP:  1\n"
        );
    }
}
