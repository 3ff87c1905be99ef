module github.com/koodrive/pulumi-koodrive/tools/cputime

go 1.22
