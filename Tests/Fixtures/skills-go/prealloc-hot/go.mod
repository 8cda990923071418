module example.com/preallochot

go 1.19
