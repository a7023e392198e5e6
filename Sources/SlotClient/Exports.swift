// `JSONValue` (requests and replies as values) lives in SlotWire, where the server parses requests with it; a
// client that imports SlotClient gets it without importing the wire module itself.
@_exported import SlotWire
