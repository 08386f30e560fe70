import QuadFormCore
import QuadFormReports
import Foundation

/// The files of the explorer page, embedded in the binary (SwiftPM `embedInCode` resources under
/// Sources/QuadFormExplorer/Page), so `quadform serve` needs no files and no network.
struct PageFile {
    /// The Content-Type header.
    let contentType: String
    /// The file's bytes.
    let data: Data

    /// The file served at `path`, if any.
    static func named(_ path: String) -> PageFile? {
        switch path {
        case "/", "/index.html": return PageFile(contentType: "text/html; charset=utf-8", data: Data(PackageResources.index_html))
        case "/explorer.css": return PageFile(contentType: "text/css; charset=utf-8", data: Data(PackageResources.explorer_css))
        case "/explorer.js": return PageFile(contentType: "text/javascript; charset=utf-8", data: Data(PackageResources.explorer_js))
        default: return nil
        }
    }
}
