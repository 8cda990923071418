module example.com/invarianthot

go 1.19
