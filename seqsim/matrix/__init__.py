"""From pair tables to what users read: the similarity matrix, PHYLIP
distances, UPGMA trees and clusters."""
