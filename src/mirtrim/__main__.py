from mirtrim.cli import main

raise SystemExit(main())
