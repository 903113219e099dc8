import CV4L2Types
import Capture
import SystemPackage

/// The driver's answers to each VIDIOC_* request, from the model.
extension FakeV4L2Kernel {
    func answer(_ request: UInt, _ argument: UnsafeMutableRawPointer) throws(Errno) {
        switch request {
        case lsv4l2_VIDIOC_QUERYCAP:
            let capability = argument.assumingMemoryBound(to: v4l2_capability.self)
            capability.pointee = v4l2_capability()
            writeCString(&capability.pointee.driver, model.driver)
            writeCString(&capability.pointee.card, model.card)
            writeCString(&capability.pointee.bus_info, model.busInfo)
            capability.pointee.version = 0x0006_0100
            capability.pointee.capabilities = model.capabilities | UInt32(V4L2_CAP_DEVICE_CAPS)
            capability.pointee.device_caps = model.capabilities
        case lsv4l2_VIDIOC_ENUM_FMT:
            let entry = argument.assumingMemoryBound(to: v4l2_fmtdesc.self)
            guard entry.pointee.type == V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue,
                  model.formats.indices.contains(Int(entry.pointee.index)) else { throw .invalidArgument }
            let format = model.formats[Int(entry.pointee.index)]
            entry.pointee.pixelformat = format.pixelFormat.rawValue
            writeCString(&entry.pointee.description, format.description)
            entry.pointee.flags = (format.emulated ? UInt32(V4L2_FMT_FLAG_EMULATED) : 0)
                | (format.pixelFormat.bytesPerPixel == nil ? UInt32(V4L2_FMT_FLAG_COMPRESSED) : 0)
        case lsv4l2_VIDIOC_ENUM_FRAMESIZES:
            let entry = argument.assumingMemoryBound(to: v4l2_frmsizeenum.self)
            guard let format = model.formats.first(where: { $0.pixelFormat.rawValue == entry.pointee.pixel_format }),
                  format.sizes.indices.contains(Int(entry.pointee.index)) else { throw .invalidArgument }
            let size = format.sizes[Int(entry.pointee.index)]
            entry.pointee.type = V4L2_FRMSIZE_TYPE_DISCRETE.rawValue
            entry.pointee.discrete.width = UInt32(size.width)
            entry.pointee.discrete.height = UInt32(size.height)
        case lsv4l2_VIDIOC_ENUM_FRAMEINTERVALS:
            let entry = argument.assumingMemoryBound(to: v4l2_frmivalenum.self)
            guard let format = model.formats.first(where: { $0.pixelFormat.rawValue == entry.pointee.pixel_format }),
                  format.sizes.contains(FakeCameraModel.Size(Int(entry.pointee.width), Int(entry.pointee.height))),
                  format.framesPerSecond.indices.contains(Int(entry.pointee.index)) else { throw .invalidArgument }
            entry.pointee.type = V4L2_FRMIVAL_TYPE_DISCRETE.rawValue
            entry.pointee.discrete.numerator = 1
            entry.pointee.discrete.denominator = UInt32(format.framesPerSecond[Int(entry.pointee.index)])
        case lsv4l2_VIDIOC_G_FMT:
            let format = argument.assumingMemoryBound(to: v4l2_format.self)
            guard format.pointee.type == V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue else { throw .invalidArgument }
            format.pointee.fmt.pix = pixFormat
        case lsv4l2_VIDIOC_S_FMT, lsv4l2_VIDIOC_TRY_FMT:
            let format = argument.assumingMemoryBound(to: v4l2_format.self)
            guard format.pointee.type == V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue else { throw .invalidArgument }
            var pix = format.pointee.fmt.pix
            adjust(&pix)
            format.pointee.fmt.pix = pix
            if request == lsv4l2_VIDIOC_S_FMT {
                guard !isHeldByAnotherProcess, !isStreaming, buffers.isEmpty else { throw .resourceBusy }
                pixFormat = pix
                let rates = currentFormat.framesPerSecond
                if !rates.contains(where: { FrameRate(framesPerSecond: $0) == timePerFrame }), let first = rates.first {
                    timePerFrame = FrameRate(framesPerSecond: first)
                }
            }
        case lsv4l2_VIDIOC_G_PARM, lsv4l2_VIDIOC_S_PARM:
            guard model.supportsFrameInterval else { throw .inappropriateIOCTLForDevice }
            let parameters = argument.assumingMemoryBound(to: v4l2_streamparm.self)
            guard parameters.pointee.type == V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue else { throw .invalidArgument }
            if request == lsv4l2_VIDIOC_S_PARM {
                let asked = parameters.pointee.parm.capture.timeperframe
                let fps = asked.numerator == 0 ? 0 : Double(asked.denominator) / Double(asked.numerator)
                let nearest = currentFormat.framesPerSecond.min { abs(Double($0) - fps) < abs(Double($1) - fps) } ?? 30
                timePerFrame = FrameRate(framesPerSecond: nearest)
            }
            parameters.pointee.parm.capture = v4l2_captureparm()
            parameters.pointee.parm.capture.capability = UInt32(V4L2_CAP_TIMEPERFRAME)
            parameters.pointee.parm.capture.timeperframe.numerator = timePerFrame.numerator
            parameters.pointee.parm.capture.timeperframe.denominator = timePerFrame.denominator
        case lsv4l2_VIDIOC_QUERYCTRL:
            let query = argument.assumingMemoryBound(to: v4l2_queryctrl.self)
            let id = query.pointee.id
            let control: FakeCameraModel.Control?
            if id & lsv4l2_CTRL_FLAG_NEXT_CTRL != 0 {
                let after = id & ~lsv4l2_CTRL_FLAG_NEXT_CTRL
                control = model.controls.filter { $0.id > after }.min { $0.id < $1.id }
            } else {
                control = model.controls.first { $0.id == id }
            }
            guard let control else { throw .invalidArgument }
            query.pointee = v4l2_queryctrl()
            query.pointee.id = control.id
            query.pointee.type = control.type
            writeCString(&query.pointee.name, control.name)
            query.pointee.minimum = control.minimum
            query.pointee.maximum = control.maximum
            query.pointee.step = control.step
            query.pointee.default_value = control.defaultValue
        case lsv4l2_VIDIOC_QUERYMENU:
            let menu = argument.assumingMemoryBound(to: v4l2_querymenu.self)
            guard let control = model.controls.first(where: { $0.id == menu.pointee.id }),
                  control.menu.indices.contains(Int(menu.pointee.index)) else { throw .invalidArgument }
            writeCString(&menu.pointee.name, control.menu[Int(menu.pointee.index)])
        case lsv4l2_VIDIOC_G_CTRL, lsv4l2_VIDIOC_S_CTRL:
            let control = argument.assumingMemoryBound(to: v4l2_control.self)
            guard let definition = model.controls.first(where: { $0.id == control.pointee.id }) else { throw .invalidArgument }
            if request == lsv4l2_VIDIOC_S_CTRL {
                guard control.pointee.value >= definition.minimum, control.pointee.value <= definition.maximum else {
                    throw .outOfRange
                }
                controlValues[definition.id] = control.pointee.value
            } else {
                control.pointee.value = controlValues[definition.id] ?? definition.defaultValue
            }
        case lsv4l2_VIDIOC_REQBUFS:
            let request = argument.assumingMemoryBound(to: v4l2_requestbuffers.self)
            guard request.pointee.type == V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue,
                  request.pointee.memory == V4L2_MEMORY_MMAP.rawValue else { throw .invalidArgument }
            guard !isHeldByAnotherProcess, !isStreaming, mappedBufferCount == 0 else { throw .resourceBusy }
            let count = request.pointee.count == 0 ? 0 : min(max(Int(request.pointee.count), 2), model.maximumBuffers)
            buffers.removeAll()
            if count > 0 { allocateBuffers(count: count) }
            request.pointee.count = UInt32(count)
        case lsv4l2_VIDIOC_QUERYBUF:
            let buffer = argument.assumingMemoryBound(to: v4l2_buffer.self)
            guard buffers.indices.contains(Int(buffer.pointee.index)) else { throw .invalidArgument }
            let index = Int(buffer.pointee.index)
            buffer.pointee.length = UInt32(buffers[index].length)
            buffer.pointee.m.offset = UInt32(buffers[index].offset)
            buffer.pointee.flags = buffers[index].isQueued ? UInt32(V4L2_BUF_FLAG_QUEUED) : 0
        case lsv4l2_VIDIOC_QBUF:
            let buffer = argument.assumingMemoryBound(to: v4l2_buffer.self)
            try queueBuffer(Int(buffer.pointee.index))
        case lsv4l2_VIDIOC_DQBUF:
            try dequeueBuffer(&argument.assumingMemoryBound(to: v4l2_buffer.self).pointee)
        case lsv4l2_VIDIOC_STREAMON:
            guard !buffers.isEmpty, argument.load(as: Int32.self) == Int32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue) else {
                throw .invalidArgument
            }
            startStreaming()
        case lsv4l2_VIDIOC_STREAMOFF:
            stopStreaming()
        default:
            throw .inappropriateIOCTLForDevice
        }
    }
}

/// Writes `text` NUL-terminated into a fixed C char array imported as a tuple.
func writeCString<T>(_ tuple: inout T, _ text: String) {
    withUnsafeMutableBytes(of: &tuple) { raw in
        raw.initializeMemory(as: UInt8.self, repeating: 0)
        for (offset, byte) in text.utf8.prefix(raw.count - 1).enumerated() { raw[offset] = byte }
    }
}
