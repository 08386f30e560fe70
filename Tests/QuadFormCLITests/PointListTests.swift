import Testing
@testable import quadform

/// The `--at` point syntax of `quadform eval`, parsed by the executable.
@Suite("Point lists")
struct PointListTests {
    @Test("Point lists: one value per point for one input, l_0 at a time otherwise, ';' separates")
    func pointLists() throws {
        #expect(try PointList.points("1,2,3", width: 1) == [[1], [2], [3]])
        #expect(try PointList.points("1,2,3", width: 3) == [[1, 2, 3]])
        #expect(try PointList.points("1,2;3,4", width: 2) == [[1, 2], [3, 4]])
        #expect(try PointList.points("−1, 2.5e-1", width: 1) == [[-1], [0.25]])
        #expect(throws: PointListError.notWholePoints(list: "1,2,3", count: 3, width: 2)) {
            try PointList.points("1,2,3", width: 2)
        }
        #expect(throws: PointListError.badNumber(list: "1,x", value: "x", position: 2)) {
            try PointList.points("1,x", width: 1)
        }
        #expect(throws: PointListError.pointLength(list: "1,2;3", point: 2, found: 1, width: 2)) {
            try PointList.points("1,2;3", width: 2)
        }
        #expect(throws: PointListError.badNumber(list: "nan", value: "nan", position: 1)) {
            try PointList.points("nan", width: 1)
        }
    }
}
