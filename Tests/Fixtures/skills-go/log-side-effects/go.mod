module example.com/logside

go 1.19
