// The umbrella module: `import QuadForm` gives the whole library (design.md §8) — the core
// (forms, synthesis, verification), the reports, and the interop formats. A user who needs only the
// mathematics depends on the `QuadFormCore` product, which links neither SwiftProtobuf nor a server.
@_exported import QuadFormCore
@_exported import QuadFormInterop
@_exported import QuadFormReports
