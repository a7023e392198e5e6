import SlotWire

extension Result where Failure == WireError {
    var failureValue: WireError? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
