import Foundation
import Testing
@testable import QuadFormCore
@testable import QuadFormReports
@testable import QuadFormInterop

/// CRC-32 one bit at a time, straight from the definition (reflected polynomial 0xEDB88320):
/// an independent reference for the table-driven `CRC32`.
func bitwiseCRC32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return crc ^ 0xFFFF_FFFF
}

@Suite("CRC-32")
struct CRC32Tests {
    @Test("the standard check value: CRC-32 of \"123456789\" is CBF43926")
    func checkValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
    }

    @Test("slicing by 8 agrees with the bit-at-a-time definition for every length 0…200 and split updates")
    func agreesWithDefinition() {
        var rng = SplitMix64(seed: 7)
        for length in 0...200 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            #expect(CRC32.checksum(bytes) == bitwiseCRC32(bytes), "length \(length)")
            let cut = length / 3
            var split = CRC32()
            bytes[..<cut].withUnsafeBytes { split.update($0) }
            bytes[cut...].withUnsafeBytes { split.update($0) }
            #expect(split.value == bitwiseCRC32(bytes))
        }
    }
}
