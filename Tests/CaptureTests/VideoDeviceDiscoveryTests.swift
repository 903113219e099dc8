import CaptureV4L2
import Glibc
import Testing

@Suite("Video node discovery")
struct VideoDeviceDiscoveryTests {
    @Test func nodesAreSortedByNumberWithTheirByIDLinks() {
        let dev = TemporaryFolder(files: ["video10", "video2", "video0", "videoX", "media0"])
        let byID = TemporaryFolder(files: [])
        #expect(symlink("../../video2", byID.path + "/usb-Acme_Cam_42-video-index0") == 0)
        #expect(symlink("../../video2", byID.path + "/usb-Acme_Cam_42-video-index1") == 0)
        #expect(symlink("../../video10", byID.path + "/platform-csi-video-index0") == 0)
        let nodes = VideoDeviceDiscovery.nodes(deviceDirectory: dev.path, byIDDirectory: byID.path)
        #expect(nodes.map(\.path) == ["video0", "video2", "video10"].map { dev.path + "/" + $0 })
        #expect(nodes.map(\.stableNames) == [
            [], ["usb-Acme_Cam_42-video-index0", "usb-Acme_Cam_42-video-index1"], ["platform-csi-video-index0"],
        ])
    }

    @Test func missingDirectoriesGiveNoNodes() {
        #expect(VideoDeviceDiscovery.nodes(deviceDirectory: "/nonexistent/dev", byIDDirectory: "/nonexistent/by-id").isEmpty)
    }
}
