from letan.cli import main

main()
