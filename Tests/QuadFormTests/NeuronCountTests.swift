import Testing
@testable import QuadForm
