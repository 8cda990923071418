import Foundation
import HeadroomCLI

@main
struct Entry {
    static func main() async {
        exit(await HeadroomCommand.runMain())
    }
}
