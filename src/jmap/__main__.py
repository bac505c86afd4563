from jmap.cli.entry import main

main()
