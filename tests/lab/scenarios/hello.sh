# Smallest scenario: dom0 is up and Xen answers.
xl info | grep -E 'xen_version|virt_caps|total_memory'
xl list
