from jmap.entry import main

main()
