from badapp.cli.serve import main

main()
