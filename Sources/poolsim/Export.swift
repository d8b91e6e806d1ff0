import ArgumentParser
import Foundation
import Results

/// `poolsim export`: a run store's tables as CSV files, or a Jupyter notebook over the store.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a run store: every table as CSV, or a Jupyter notebook that reads the store.",
        discussion: """
            --csv DIR writes DIR/TABLE.csv for every table (or only --table NAME): UTF-8, a header row \
            with the store's column names (README, "Run store"), RFC 4180 quoting, NULL as an empty field. \
            --notebook FILE.ipynb writes a notebook (nbformat 4.5) that opens the store with pandas through \
            sqlite3, by its path relative to the notebook's folder, and draws the comparison figures with \
            matplotlib. Files are written under a temporary name and renamed when complete.
            """)

    @Argument(help: "Run store (SQLite) written by `poolsim run` or `poolsim sweep`.") var store: String
    @Option(help: "Folder for the CSV files (created if missing).") var csv: String?
    @Option(help: "Only this table (with --csv).") var table: String?
    @Option(help: "Notebook to write, e.g. notebooks-export/demo.ipynb.") var notebook: String?

    func validate() throws {
        if csv == nil && notebook == nil { throw ValidationError("give --csv DIR and/or --notebook FILE.ipynb") }
        if table != nil && csv == nil { throw ValidationError("--table goes with --csv") }
    }

    func run() throws {
        try reportingErrors {
            do {
                if let csv {
                    for w in try CSVExport.export(store: store, to: csv, table: table) {
                        print("\(w.table): \(w.rows) rows → \(w.path)")
                    }
                }
                if let notebook {
                    try NotebookExport.export(store: store, notebook: notebook)
                    print("notebook → \(notebook)")
                }
            } catch let e as ExportError {
                FileHandleOut.stderr("poolsim: error: \(e)")
                throw ExitCode.failure
            }
        }
    }
}
