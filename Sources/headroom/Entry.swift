import Foundation
import HeadroomCLI

@main
struct Entry {
    static func main() {
        exit(HeadroomCommand.runMain())
    }
}
