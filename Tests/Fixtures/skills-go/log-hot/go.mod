module example.com/loghot

go 1.19
